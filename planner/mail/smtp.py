"""SMTP_URL read and used: `smtp://host:port` (plain), `smtp+starttls://host:port` (upgraded with
STARTTLS), `smtps://host:port` (TLS from the start), each with an optional `user:password@` (URL-encoded).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT = 20  # seconds: a server that does not answer fails this send, and the reminder is tried again


@dataclass(frozen=True)
class Server:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None = None

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"Server({self.scheme}://{self.host}:{self.port})"


def server(url: str) -> Server:
    """The server an SMTP_URL names; a URL this cannot use fails here, when the app starts."""
    parts = urlsplit(url)
    if parts.scheme not in PORTS or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port, smtp+starttls://host:port or smtps://host:port")
    try:
        port = parts.port or PORTS[parts.scheme]
    except ValueError:
        raise ValueError("SMTP_URL has a port that is not a number from 1 to 65535") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return Server(parts.scheme, parts.hostname, port, user, password)


def send(url: str, message: EmailMessage) -> None:
    """Hand `message` to the server; smtplib's errors (and OSError) reach the caller."""
    target = server(url)
    connection: smtplib.SMTP
    if target.scheme == "smtps":
        connection = smtplib.SMTP_SSL(target.host, target.port, timeout=TIMEOUT,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT)
    with connection:
        if target.scheme == "smtp+starttls":
            connection.starttls(context=ssl.create_default_context())
        if target.user:
            connection.login(target.user, target.password or "")
        connection.send_message(message)
