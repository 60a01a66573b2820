"""The store: migrations, tokens, session versions and exports cached per revision."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, update

from planner import create_app
from planner.extensions import db
from planner.store import revisions
from planner.store.models import PlanRecord, RenderedExport, new_token


def test_tokens_carry_at_least_128_random_bits_and_are_url_safe():
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    for token in tokens:
        assert len(token) * 6 >= 128
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_db_upgrade_builds_an_empty_database_and_is_repeatable(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"plans", "checkins", "plan_revisions", "rendered_exports", "alembic_version"} <= tables


def test_the_calendar_is_rendered_once_per_revision(client, app, stored_plan):
    token = stored_plan["token"]
    first = client.get(f"/plans/{token}.ics")
    again = client.get(f"/plans/{token}.ics")
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]
    with app.app_context():
        record = db.session.scalars(select(PlanRecord).where(PlanRecord.token == token)).one()
        export = db.session.get(RenderedExport, (record.id, "ics"))
        assert record.revision == 1 and export.revision == 1 and export.body == first.data


def _latest(app, token):
    """The plan's record and its latest revision, as stored."""
    with app.app_context():
        record = db.session.scalars(select(PlanRecord).where(PlanRecord.token == token)).one()
        return record.revision, revisions.read(revisions.latest(record))


def test_a_checkin_raises_the_revision_and_the_sequence_of_changed_sessions_only(client, app, stored_plan, clock):
    token, plan = stored_plan["token"], stored_plan["plan"]
    run = next(s for s in plan["weeks"][0]["sessions"] if s["kind"] == "run")
    _, first = _latest(app, token)
    assert {s.sequence for s in first.stamps.values()} == {0}
    clock.morning_after(run["date"])
    response = client.post(f"/api/v1/plans/{token}/checkins", json={
        "date": run["date"], "pain_during": 6, "pain_next_morning": 2})
    assert response.json["decision"] == "hold"
    after_plan = response.json["plan"]
    number, second = _latest(app, token)
    assert number == second.number == 2 and second.reason == "checkin" and second.decision == "hold"
    after = {uid: s.sequence for uid, s in second.stamps.items()}
    week1_uids = {s["uid"] for s in plan["weeks"][0]["sessions"]}
    assert all(after[uid] == 0 for uid in week1_uids)  # the week checked in is untouched
    old = {s["uid"]: s for w in plan["weeks"] for s in w["sessions"]}
    new = {s["uid"]: s for w in after_plan["weeks"] for s in w["sessions"]}
    changed = {uid for uid in old.keys() & new.keys() if old[uid] != new[uid]}
    assert changed, "holding a week must change some later sessions"
    assert all(after[uid] == 1 for uid in changed)
    assert all(after[uid] == 0 for uid in (old.keys() & new.keys()) - changed)
    with app.app_context():  # the feed is rendered once for the new revision, on its first read
        client.get(f"/plans/{token}.ics")
        record = db.session.scalars(select(PlanRecord).where(PlanRecord.token == token)).one()
        assert db.session.get(RenderedExport, (record.id, "ics")).revision == 2


def test_rotating_the_token_keeps_the_plan_and_kills_old_urls(client, app, stored_plan):
    from planner import services

    token = stored_plan["token"]
    with app.test_request_context():
        new = services.rotate(token)
    assert new != token
    assert client.get(f"/plans/{token}.ics").status_code == 404
    assert client.get(f"/api/v1/plans/{token}").status_code == 404
    moved = client.get(f"/api/v1/plans/{new}").json
    assert moved["plan"] == stored_plan["plan"]
    unfolded = client.get(f"/plans/{new}.ics").data.replace(b"\r\n ", b"")
    assert new.encode() in unfolded and token.encode() not in unfolded  # the feed links to the new page


def test_healthz_is_503_while_the_database_does_not_answer(tmp_path):
    # A PostgreSQL URL on a port where nothing listens: a real refused connection, not a mock.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
                      "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "down", "rate_limits": "ok"}


@pytest.mark.parametrize("setting,filename", [("SECRET_KEY", "secret_key"), ("CONNECTION_KEY", "connection_key")])
def test_the_development_keys_are_made_once_and_kept(tmp_path, monkeypatch, setting: str, filename: str):
    from planner import config

    monkeypatch.delenv(setting, raising=False)
    first = config.from_environment(tmp_path)[setting]
    second = config.from_environment(tmp_path)[setting]
    assert first == second and len(str(first)) >= 40
    assert (tmp_path / filename).stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(setting, "from-the-environment")
    assert config.from_environment(tmp_path)[setting] == "from-the-environment"


def test_csv_and_garmin_exports_are_rendered_once_per_revision(client, app, stored_plan):
    token, plan = stored_plan["token"], stored_plan["plan"]

    def stored(kind: str) -> RenderedExport | None:
        with app.app_context():
            record = db.session.scalars(select(PlanRecord).where(PlanRecord.token == token)).one()
            return db.session.get(RenderedExport, (record.id, kind))

    assert stored("garmin") is None and stored("csv") is None  # nothing rendered until asked for
    first = client.get(f"/plans/{token}/garmin.zip").data
    row = stored("garmin")
    assert row is not None and row.revision == 1 and row.body == first
    with app.app_context():  # a later request reads the stored bytes: prove it by marking them
        db.session.execute(update(RenderedExport).where(RenderedExport.kind == "garmin")
                           .values(body=first + b"marker"))
        db.session.commit()
    assert client.get(f"/plans/{token}/garmin.zip").data == first + b"marker"

    csv_before = client.get(f"/plans/{token}.csv").data
    assert stored("csv").body == csv_before
    run = next(s for s in plan["weeks"][0]["sessions"] if s["kind"] == "run")
    client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 7,
                                                          "pain_next_morning": 3})
    second = client.get(f"/plans/{token}/garmin.zip").data
    assert second != first + b"marker"  # a new revision renders afresh
    assert stored("garmin").revision == 2 and stored("garmin").body == second
    csv_after = client.get(f"/plans/{token}.csv").data
    assert csv_after != csv_before and stored("csv").revision == 2


def _record(app, token):
    with app.app_context():
        record = db.session.scalars(select(PlanRecord).where(PlanRecord.token == token)).one()
        return record.id, record.revision, [(c.date.isoformat(), c.pain_during, c.pain_next_morning, c.notes)
                                            for c in record.checkins]


def test_a_checkin_without_its_morning_is_stored_as_null_and_patch_fills_it(client, app, stored_plan):
    token = stored_plan["token"]
    run = next(s for s in stored_plan["plan"]["weeks"][0]["sessions"] if s["kind"] == "run")
    assert client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 2,
                                                                 "notes": "ok"}).status_code == 201
    plan_id, revision, checkins = _record(app, token)
    assert revision == 2 and checkins == [(run["date"], 2, None, "ok")]
    response = client.patch(f"/api/v1/plans/{token}/checkins/{run['date']}", json={"pain_next_morning": 1})
    assert response.status_code == 200
    _, revision, checkins = _record(app, token)
    assert revision == 3 and checkins == [(run["date"], 2, 1, "ok")]
    _, latest = _latest(app, token)  # the same compare-and-swap write as a check-in: a new revision
    assert latest.number == 3 and latest.reason == "morning" and latest.day.isoformat() == run["date"]


def test_a_refused_patch_writes_nothing(client, app, stored_plan):
    token = stored_plan["token"]
    run = next(s for s in stored_plan["plan"]["weeks"][0]["sessions"] if s["kind"] == "run")
    client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 2,
                                                          "pain_next_morning": 0})
    before = _record(app, token)
    assert client.patch(f"/api/v1/plans/{token}/checkins/{run['date']}",
                        json={"pain_next_morning": 12}).status_code == 422
    assert client.patch(f"/api/v1/plans/{token}/checkins/2001-01-01",
                        json={"pain_next_morning": 1}).status_code == 404
    assert _record(app, token) == before


def test_the_morning_score_migration_keeps_check_ins_and_allows_null(tmp_path):
    """An older database (first revision) with a check-in upgrades to nullable morning scores and back."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'older.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="1a925f85bca0")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO plans (id, token, seed, request, created_at, updated_at, revision) "
                "VALUES (1, 'tok', 'seed', '{}', '2026-11-01 00:00:00', '2026-11-01 00:00:00', 1)"))
            connection.execute(text(
                "INSERT INTO checkins (plan_id, date, pain_during, pain_next_morning, completed, created_at) "
                "VALUES (1, '2026-11-02', 3, 1, 1, '2026-11-02 00:00:00')"))
        upgrade()
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("checkins")}
        assert columns["pain_next_morning"]["nullable"] is True
        assert columns["pain_during"]["nullable"] is False
        uniques = inspect(db.engine).get_unique_constraints("checkins")
        assert any(u["column_names"] == ["plan_id", "date"] for u in uniques)  # one check-in a day, still
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO checkins (plan_id, date, pain_during, pain_next_morning, completed, created_at) "
                "VALUES (1, '2026-11-03', 4, NULL, 1, '2026-11-03 00:00:00')"))
            rows = connection.execute(text("SELECT date, pain_during, pain_next_morning FROM checkins "
                                           "ORDER BY date")).all()
        assert [tuple(r) for r in rows] == [("2026-11-02", 3, 1), ("2026-11-03", 4, None)]
        downgrade(revision="1a925f85bca0")
        with db.engine.begin() as connection:
            rows = connection.execute(text("SELECT pain_next_morning FROM checkins ORDER BY date")).all()
        assert [r[0] for r in rows] == [1, 4]  # a missing morning takes the pain during (the cautious guess)
        db.engine.dispose()


def test_a_deleted_plan_leaves_nothing_in_the_sqlite_files(tmp_path):
    """Secure delete and a checkpoint: the name and token are in neither the database nor its log."""
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'gone.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    client = app.test_client()
    name = "Zebedee Forgetme"
    token = client.post("/api/v1/plans", json={"weekly_volume": 10, "current_pain": 1, "name": name}).json["token"]
    assert client.get(f"/plans/{token}.ics").status_code == 200  # its feed stored too

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.glob("gone.sqlite3*"))

    assert name.encode() in files() and token.encode() in files()
    assert client.delete(f"/api/v1/plans/{token}").status_code == 204
    left = files()
    assert name.encode() not in left and token.encode() not in left
    with app.app_context():
        db.engine.dispose()
