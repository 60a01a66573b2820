"""The API keys' encryption: rotation and a malformed CONNECTION_KEY."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken

from planner import create_app
from planner.sync.keys import cipher


def test_a_second_key_rotates_in_and_old_secrets_still_open() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secret = cipher(old).encrypt(b"runner-api-key")
    rotated = cipher(f"{new},{old}")
    assert rotated.decrypt(secret) == b"runner-api-key"
    with pytest.raises(InvalidToken):
        cipher(new).decrypt(secret)
    assert cipher(new).decrypt(rotated.encrypt(b"again")) == b"again"  # the first key encrypts


@pytest.mark.parametrize("setting", ["not-a-fernet-key", " , "])
def test_a_malformed_connection_key_stops_the_app_at_start(setting: str) -> None:
    with pytest.raises(ValueError, match="CONNECTION_KEY"):
        create_app({"CONNECTION_KEY": setting, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
