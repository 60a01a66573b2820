"""The watch file on the page: read beside the check-in form, which it fills, and refused beside its field."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient

from tests.api.test_activities import FILES, _day, _plan_with_a_run_on


def _send(client: FlaskClient, token: str, name: str, data: bytes | None = None):
    content = (FILES / name).read_bytes() if data is None else data
    return client.post(f"/plans/{token}/activities", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_a_run_file_fills_the_check_in_and_shows_with_it(client: FlaskClient, clock) -> None:
    day = _day("hilly.fit")
    token = _plan_with_a_run_on(client, clock, day)["token"]
    clock.morning_after(day)
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "The file itself is not kept" in page
    sent = _send(client, token, "hilly.fit")
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"#activity-{day.isoformat()}")
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    read = re.search(rf'id="activity-{day.isoformat()}">(.*?)</div>', page, re.S).group(1)
    assert "From your watch" in read and "m climbing" in read and "Hills are not in the plan yet" in read
    assert f'<option value="{day.isoformat()}" selected>' in page  # the check-in form is for that day
    checked = client.post(f"/plans/{token}/checkins", data={"date": day.isoformat(), "pain_during": "2",
                                                              "completed": "yes"})
    assert checked.status_code == 303
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    history = re.search(r'<table class="history">(.*?)</table>', page, re.S).group(1)
    assert "min running" in history and "m climbing" in history and "Hills are not in the plan yet" in history
    assert f'id="activity-{day.isoformat()}"' not in page  # no longer waiting


def test_a_bad_file_is_refused_beside_the_field(client: FlaskClient, clock) -> None:
    day = _day("hilly.fit")
    token = _plan_with_a_run_on(client, clock, day)["token"]
    clock.morning_after(day)
    refused = _send(client, token, "cycling.fit")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="file-error"' in page and "aria-invalid" in page.split('id="file"', 1)[1].split(">", 1)[0] + ">"
