"""The reminder tests send through a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message,
and step the app's clock morning by morning."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Clock, empty_tables, make_app

ADDRESS = "runner.jones@example.com"
MASKED = "r•••@example.com"
ZONE = "Pacific/Auckland"  # the runner's mornings are not UTC's


class Mailbox:
    """What the SMTP server was given, each message parsed as a mail client would."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            raw = [e.original_content or b"" for e in self.envelopes]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]  # type: ignore[misc]

    def __len__(self) -> int:
        with self.lock:
            return len(self.envelopes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, str]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def inbox(mailbox: tuple[Mailbox, str]) -> Mailbox:
    return mailbox[0]


@pytest.fixture
def app(_database: str, mailbox: tuple[Mailbox, str]) -> Iterator[Flask]:
    app = make_app(_database, SMTP_URL=mailbox[1], CONNECTION_KEY=Fernet.generate_key().decode(),
                   MAIL_FROM="Return-to-Run Planner <noreply@planner.test>")
    yield app
    empty_tables(app)


START = date(2027, 3, 1)  # a Monday: the plan starts here, and the tests live its first weeks


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(ZONE))


def make_plan(client: FlaskClient, clock: Clock, **fields: object) -> dict:
    """A plan made the day before it starts (so every morning stepped through is one of its days)."""
    clock.at(local(START - timedelta(days=1), time(12)))
    response = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2, "timezone": ZONE,
                                                  "start_date": START.isoformat(), **fields})
    assert response.status_code == 201, response.json
    return response.json


def subscribe(client: FlaskClient, token: str, address: str = ADDRESS) -> None:
    response = client.put(f"/api/v1/plans/{token}/reminders", json={"email": address})
    assert response.status_code == 204, response.json


def run_days(plan: dict) -> set[date]:
    return {date.fromisoformat(s["date"]) for w in plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run"}
