"""The runners' intervals.icu API keys, encrypted at rest with Fernet (AES-128-CBC and HMAC-SHA256).

CONNECTION_KEY holds one Fernet key, or several separated by commas to rotate: the first encrypts,
every one decrypts. Unset (development), config.py makes one once and keeps it under instance/.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "cipher"]


def cipher(setting: str) -> MultiFernet:
    """The cipher for a CONNECTION_KEY setting; a malformed key fails here, at start-up."""
    keys = [k.strip() for k in setting.split(",") if k.strip()]
    if not keys:
        raise ValueError("CONNECTION_KEY is empty")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as error:
        raise ValueError(f"CONNECTION_KEY must be Fernet keys (32 url-safe base64 bytes each): {error}") from None
