"""The runners' intervals.icu API keys, encrypted at rest with Fernet (AES-128-CBC and HMAC-SHA256).

CONNECTION_KEY holds one Fernet key, or several separated by commas to rotate: the first encrypts,
every one decrypts. Unset (development), a key is generated once and kept under instance/.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "cipher", "connection_key"]


def connection_key(instance_path: Path) -> str:
    """CONNECTION_KEY, or a key generated once under instance/ (O_EXCL: one writer among many workers)."""
    if key := os.environ.get("CONNECTION_KEY", "").strip():
        return key
    path = instance_path / "connection_key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
    for _ in range(50):  # another process may have created the file and not yet written it
        if key := path.read_text().strip():
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set CONNECTION_KEY")


def cipher(setting: str) -> MultiFernet:
    """The cipher for a CONNECTION_KEY setting; a malformed key fails here, at start-up."""
    keys = [k.strip() for k in setting.split(",") if k.strip()]
    if not keys:
        raise ValueError("CONNECTION_KEY is empty")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as error:
        raise ValueError(f"CONNECTION_KEY must be Fernet keys (32 url-safe base64 bytes each): {error}") from None
