"""`timezone` takes the IANA zones of places, UTC and the Etc/ zones, and nothing else (rule 30: it is
the runner's day and the calendar's zone)."""

from __future__ import annotations

import zoneinfo

import pytest
from flask.testing import FlaskClient

from planner.schemas import _timezones

PREVIEW = "/api/v1/plans/preview"
NOT_PLACES = ["localtime", "Factory", "posixrules", "posix/Europe/London", "right/Europe/London", "EST5EDT",
              "CET", "EST", "MST7MDT", "GMT0", "Zulu", "Universal", "SystemV/EST5"]
PLACES = ["UTC", "Etc/UTC", "Etc/GMT+5", "Europe/London", "America/New_York", "Australia/Lord_Howe",
          "America/Argentina/Buenos_Aires", "US/Eastern", "Asia/Calcutta", "Japan"]


@pytest.mark.parametrize("zone", NOT_PLACES)
def test_zones_that_are_not_places_are_422_naming_timezone(client: FlaskClient, zone: str) -> None:
    response = client.post(PREVIEW, json={"weekly_volume": 10, "current_pain": 1, "timezone": zone})
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == ["timezone"]


@pytest.mark.parametrize("zone", PLACES)
def test_places_utc_and_etc_zones_are_taken(client: FlaskClient, zone: str) -> None:
    response = client.post(PREVIEW, json={"weekly_volume": 10, "current_pain": 1, "timezone": zone})
    assert response.status_code == 200, response.json
    assert response.json["request"]["timezone"] == zone


def test_every_zone_taken_is_one_zoneinfo_knows_and_every_place_is_taken() -> None:
    taken = _timezones()
    assert taken <= zoneinfo.available_timezones()
    assert not taken & set(NOT_PLACES)
    assert {"UTC"} | {z for z in zoneinfo.available_timezones() if z.startswith("Etc/")} <= taken
    regions = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
               "Pacific/")
    assert {z for z in zoneinfo.available_timezones() if z.startswith(regions)} <= taken
