"""The one-tap check-in page (GET /plans/{token}/checkins/new?date=…): one post saves, errors come back
beside the field with what was tapped, the morning score alone the next morning (rule 31), and the
nudges switch on the plan page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask.testing import FlaskClient
from icalendar import Calendar


def _runs(plan: dict) -> list[dict]:
    return [s for w in plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run"]


def _page(plan: dict, day: str) -> str:
    return f"/plans/{plan['token']}/checkins/new?date={day}"


def test_one_post_saves_and_the_next_morning_asks_for_the_morning_score_only(
    client: FlaskClient, stored_plan: dict, clock
) -> None:
    run = _runs(stored_plan)[0]
    day = date.fromisoformat(run["date"])
    clock.at(datetime.combine(day, time(19), tzinfo=UTC))  # the evening of the run
    page = client.get(_page(stored_plan, run["date"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"{day:%A} {day.day} {day:%B}: {run['title']}" in html
    assert 'name="pain_during" id="pain_during-10"' in html and "pain_next_morning" not in html  # not yet
    saved = client.post(f"/plans/{stored_plan['token']}/checkins", data={
        "return_to": "one-tap", "date": run["date"], "pain_during": "2", "completed": "yes", "notes": "fine"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"saved={run['date']}#saved")
    assert "Check-in saved" in client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Come back tomorrow morning" in client.get(_page(stored_plan, run["date"])).get_data(as_text=True)

    clock.morning_after(day)
    morning = client.get(_page(stored_plan, run["date"])).get_data(as_text=True)
    assert 'name="pain_next_morning"' in morning and 'name="pain_during"' not in morning
    assert f"/checkins/{run['date']}/morning" in morning
    added = client.post(f"/plans/{stored_plan['token']}/checkins/{run['date']}/morning",
                        data={"return_to": "one-tap", "pain_next_morning": "1"})
    assert added.status_code == 303
    done = client.get(_page(stored_plan, run["date"])).get_data(as_text=True)
    assert "What you logged" in done and "Pain the next morning: 1/10" in done and "<form" not in done.split(
        "<main")[1].split("</main>")[0]


def test_errors_come_back_beside_the_field_with_the_values_kept(client: FlaskClient, stored_plan: dict,
                                                                 clock) -> None:
    run = _runs(stored_plan)[0]
    clock.morning_after(run["date"])
    answer = client.post(f"/plans/{stored_plan['token']}/checkins", data={
        "return_to": "one-tap", "date": run["date"], "pain_during": "", "pain_next_morning": "3",
        "completed": "no", "notes": "left hamstring"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="pain_during-error"' in html and 'aria-invalid="true"' in html
    assert 'id="pain_next_morning-3" value="3" checked' in html
    assert 'id="completed-no" value="no" checked' in html and "left hamstring" in html
    assert "Check in" in html and 'name="return_to" value="one-tap"' in html  # the same page, not the plan page
    too_long = client.post(f"/plans/{stored_plan['token']}/checkins", data={
        "return_to": "one-tap", "date": run["date"], "pain_during": "2", "notes": "x" * 501})
    assert too_long.status_code == 422 and 'id="notes-error"' in too_long.get_data(as_text=True)
    assert 'id="pain_during-2" value="2" checked' in too_long.get_data(as_text=True)
    morning_too_soon = client.post(f"/plans/{stored_plan['token']}/checkins/{run['date']}/morning",
                                   data={"return_to": "one-tap", "pain_next_morning": "1"})
    assert morning_too_soon.status_code == 404  # no check-in that day yet


def test_days_that_cannot_take_a_check_in_say_why(client: FlaskClient, stored_plan: dict, clock) -> None:
    clock.morning_after(_runs(stored_plan)[0]["date"])
    weeks = stored_plan["plan"]["weeks"]
    rest = next((s["date"] for w in weeks for s in w["sessions"] if s["kind"] == "rest"), None)
    first = date.fromisoformat(weeks[0]["start"])
    cases = {"not-a-date": "no day we can read", "": "no day we can read", "2027-02-30": "no day we can read",
             (first - timedelta(days=1)).isoformat(): "outside your plan",
             (first + timedelta(days=400)).isoformat(): "outside your plan"}
    if rest:
        cases[rest] = "no session on that day"
    cases[_runs(stored_plan)[2]["date"]] = "already happened"
    for day, words in cases.items():
        answer = client.get(_page(stored_plan, day))
        assert answer.status_code == 422, day
        assert words in answer.get_data(as_text=True), day
    assert client.get("/plans/nosuchtoken/checkins/new?date=2027-01-04").status_code == 404


def test_the_plan_page_links_each_recent_run_to_its_one_tap_page(client: FlaskClient, stored_plan: dict,
                                                                 clock) -> None:
    run = _runs(stored_plan)[3]
    clock.morning_after(run["date"])
    html = client.get(f"/plans/{stored_plan['token']}").get_data(as_text=True)
    day = date.fromisoformat(run["date"])
    assert f"Check in for {day:%A}'s run" in html and f"checkins/new?date={run['date']}" in html


def test_the_nudges_switch_stores_a_revision_and_the_feed_follows(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    feed = f"/plans/{token}.ics"

    def nudge_uids() -> set[str]:
        return {str(e["UID"]) for e in Calendar.from_ical(client.get(feed).data).events
                if str(e["UID"]).endswith("-checkin")}

    assert nudge_uids() == {r["uid"] + "-checkin" for r in _runs(stored_plan)}
    before = client.get(f"/api/v1/plans/{token}").json
    off = client.post(f"/plans/{token}/nudges", data={"nudges": "off"})
    assert off.status_code == 303 and off.headers["Location"].endswith("#calendar")
    assert nudge_uids() == set()
    after = client.get(f"/api/v1/plans/{token}").json
    assert after["plan"]["request"]["nudges"] is False
    after["plan"]["request"]["nudges"] = True
    assert after["plan"] == before["plan"]  # nothing else changed
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert "Check-in reminders are off" in page
    client.post(f"/plans/{token}/nudges", data={"nudges": "on"})
    assert nudge_uids() == {r["uid"] + "-checkin" for r in _runs(stored_plan)}


def test_the_form_box_is_ticked_by_default_and_unticked_switches_nudges_off(client: FlaskClient) -> None:
    assert 'id="nudges" name="nudges" value="yes" checked' in client.get("/").get_data(as_text=True)
    fields = {"weekly_volume": "10", "current_pain": "1", "unit": "km", "pain_tolerance": "3", "pain_at_rest": "0",
              "morning_after_worse": "no", "runs_per_week": "3"}
    made = client.post("/plans", data={**fields, "nudges": "no"})
    assert made.status_code == 303
    token = made.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/plans/{token}").json["plan"]["request"]["nudges"] is False
    again = client.post("/plans", data={**fields, "weekly_volume": "x", "nudges": "no"})
    assert again.status_code == 422 and 'id="nudges" name="nudges" value="yes" checked' not in again.get_data(
        as_text=True)
    ticked = client.post("/plans", data={**fields, "nudges": ["yes", "no"]})
    token = ticked.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/plans/{token}").json["plan"]["request"]["nudges"] is True
