"""The worker's morning emails, through a real SMTP server: one per morning after a run, none on other
mornings or before the reminder time, one-click unsubscribe, and never the address in a log."""

from __future__ import annotations

import logging
import threading
from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.extensions import db
from planner.store.models import Reminder
from planner.sync.worker import Worker
from tests.conftest import Clock

from .conftest import ADDRESS, MASKED, START, Mailbox, free_port, local, make_plan, run_days, subscribe


def work(app: Flask) -> None:
    """One worker's turn, in this process (so the tests' clock holds)."""
    Worker(app).run(once=True)


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Every record logged but the test SMTP server's own (aiosmtpd's "mail.log", which must see the address)."""
    records = [r for r in caplog.records if r.name != "mail.log"]
    assert any(r.name.startswith("planner") for r in records)
    return records


def reminder_rows(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Reminder)) or 0)


def test_one_reminder_each_morning_after_a_run_and_none_on_other_mornings(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plan = make_plan(client, clock)
    token = plan["token"]
    subscribe(client, token)
    runs = run_days(plan)
    work(app)
    assert len(inbox) == 0  # the day before the plan: no run yesterday

    for offset in range(1, 15):
        today = START + timedelta(days=offset)
        before = len(inbox)
        clock.at(local(today, time(6, 30)))
        work(app)
        assert len(inbox) == before, f"{today}: sent before 07:00"
        for at in (time(7, 0), time(7, 1), time(9, 30), time(23, 59)):
            clock.at(local(today, at))
            work(app)
            work(app)
        yesterday = today - timedelta(days=1)
        expected = 1 if yesterday in runs else 0
        assert len(inbox) - before == expected, f"{today}: {len(inbox) - before} mails, the day after a run: {expected}"
        if expected:
            message = inbox.messages[-1]
            assert message["Subject"] == "How did yesterday's run feel?"
            assert message["To"] == ADDRESS
            link = f"http://planner.test/plans/{token}/checkins/new?date={yesterday.isoformat()}"
            text = message.get_content()
            assert link in text
            assert f"Today, {today:%A} {today.day} {today:%B}" in text
            page = client.get(path(link))
            assert page.status_code == 200
            assert f'name="date" value="{yesterday.isoformat()}"' in page.get_data(as_text=True)

    assert len(inbox) == len([d for d in runs if START <= d < START + timedelta(days=14)]) >= 4
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == [ADDRESS] and envelope.mail_from == "noreply@planner.test"
    for record in ours(caplog):
        assert ADDRESS not in record.getMessage() and "runner.jones" not in record.getMessage()


def test_the_reminder_says_a_logged_run_is_logged_and_shows_todays_session(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox
) -> None:
    plan = make_plan(client, clock, session_time="18:30")
    token = plan["token"]
    subscribe(client, token)
    run = min(d for d in run_days(plan))
    clock.at(local(run, time(20)))
    assert client.post(f"/api/v1/plans/{token}/checkins",
                       json={"date": run.isoformat(), "pain_during": 2}).status_code == 201
    clock.at(local(run + timedelta(days=1), time(7, 30)))
    work(app)
    assert len(inbox) == 0  # the plan's session time, 18:30, is its reminder time
    clock.at(local(run + timedelta(days=1), time(18, 31)))
    work(app)
    text = inbox.messages[0].get_content()
    assert "Checked in: yesterday's run, pain 2/10 during. Add how it feels this morning." in text
    assert "Two taps" not in text
    assert "Stop these emails: http://planner.test/reminders/" in text


def test_one_click_unsubscribe_stops_the_next_reminder(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox
) -> None:
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    first, second = sorted(run_days(plan))[:2]
    clock.at(local(first + timedelta(days=1), time(8)))
    work(app)
    message = inbox.messages[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop = message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert stop.startswith("http://planner.test/reminders/") and plan["token"] not in stop

    page = client.get(path(stop))  # a GET only asks
    assert page.status_code == 200 and "Stop the morning emails?" in page.get_data(as_text=True)
    assert reminder_rows(app) == 1
    mail_client = app.test_client(use_cookies=False)  # as a mail provider posts it: no cookie, no form token
    answer = mail_client.post(path(stop), data="List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and "The emails are stopped" in answer.get_data(as_text=True)
    assert reminder_rows(app) == 0
    assert mail_client.post(path(stop), data="List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded").status_code == 200  # twice: fine

    clock.at(local(second + timedelta(days=1), time(8)))
    work(app)
    assert len(inbox) == 1
    assert client.get(f"/api/v1/plans/{plan['token']}").json["reminders"] is None


def both_at_once(app: Flask) -> None:
    """Two workers, each in its own thread, start together and take three turns each."""
    workers = [Worker(app), Worker(app)]
    go = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def turn(worker: Worker) -> None:
        try:
            go.wait()
            for _ in range(3):
                worker.run(once=True)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=turn, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures


def test_two_workers_send_one_mail_per_morning_between_them(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox
) -> None:
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    runs = sorted(run_days(plan))[:3]
    for run in runs:
        clock.at(local(run + timedelta(days=1), time(7, 15)))
        both_at_once(app)
    assert len(inbox) == len(runs)
    assert len({m["Date"] for m in inbox.messages}) == len(runs)  # one each morning


def test_a_failed_send_is_tried_again_and_the_log_has_no_address(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox, mailbox: tuple[Mailbox, str],
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    run = min(run_days(plan))
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    clock.at(local(run + timedelta(days=1), time(7, 5)))
    work(app)
    work(app)
    assert len(inbox) == 0
    with app.app_context():
        row = db.session.scalars(select(Reminder)).one()
        assert row.last_sent is None  # the claim was given back
    failed = [r for r in caplog.records if "not sent" in r.getMessage()]
    assert len(failed) == 1, "tried once, then again only after a minute"
    assert "ConnectionRefusedError" in failed[0].getMessage()

    app.config["SMTP_URL"] = mailbox[1]
    clock.at(local(run + timedelta(days=1), time(7, 7)))
    work(app)
    work(app)
    assert len(inbox) == 1
    for record in ours(caplog):
        assert ADDRESS not in record.getMessage()


def test_a_new_link_keeps_the_reminder_and_its_mails_use_the_new_token(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox
) -> None:
    plan = make_plan(client, clock)
    old = plan["token"]
    subscribe(client, old)
    rotated = client.post(f"/plans/{old}/rotate", data={"confirm_rotate": "yes"})
    new = rotated.headers["Location"].split("/plans/", 1)[1].split("#")[0]
    assert new != old
    assert client.get(f"/api/v1/plans/{new}").json["reminders"] == {"email": MASKED}
    run = min(run_days(plan))
    clock.at(local(run + timedelta(days=1), time(8)))
    work(app)
    text = inbox.messages[0].get_content()
    assert f"/plans/{new}/checkins/new?date={run.isoformat()}" in text and old not in text


def test_deleting_the_plan_deletes_the_address(client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox) -> None:
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    assert reminder_rows(app) == 1
    assert client.delete(f"/api/v1/plans/{plan['token']}").status_code == 204
    assert reminder_rows(app) == 0
    clock.at(local(min(run_days(plan)) + timedelta(days=1), time(8)))
    work(app)
    assert len(inbox) == 0


def test_the_address_is_stored_encrypted(client: FlaskClient, app: Flask, clock: Clock) -> None:
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    with app.app_context():
        row = db.session.scalars(select(Reminder)).one()
        assert ADDRESS.encode() not in row.secret and row.masked == MASKED
        stored = db.session.connection().exec_driver_sql("SELECT * FROM reminders").one()
        assert not any(ADDRESS in str(value) for value in stored)


def test_nothing_is_read_without_an_smtp_server(client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox) -> None:
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    app.config["SMTP_URL"] = None
    clock.at(local(START + timedelta(days=7), time(8)))
    work(app)
    assert len(inbox) == 0


def test_a_first_morning_before_the_start_is_quiet(
    client: FlaskClient, app: Flask, clock: Clock, inbox: Mailbox
) -> None:
    plan = make_plan(client, clock)
    subscribe(client, plan["token"])
    clock.at(local(START, time(8)))  # the plan's first morning: nothing ran yesterday
    work(app)
    assert len(inbox) == 0
