"""A physio's read-only link through the API: make it, replace it, revoke it; it is a key of its own."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import create_app

SHARED = "http://planner.test/shared/"


def _share(client: FlaskClient, token: str) -> str:
    response = client.post(f"/api/v1/plans/{token}/share")
    assert response.status_code == 201, response.json
    assert set(response.json) == {"link"}
    link: str = response.json["link"]
    assert link.startswith(SHARED)
    return link


def _path(link: str) -> str:
    return link.removeprefix("http://planner.test")


def _share_token(link: str) -> str:
    return link.removeprefix(SHARED)


def test_a_new_plan_is_not_shared(client: FlaskClient, stored_plan: dict) -> None:
    assert stored_plan["share"] is None
    assert client.get(f"/api/v1/plans/{stored_plan['token']}").json["share"] is None


def test_share_answers_201_with_an_absolute_link_that_opens_the_plan(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    link = _share(client, token)
    share_token = _share_token(link)
    assert share_token != token and len(share_token) >= 22  # its own key, at least 128 random bits
    page = client.get(_path(link))
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert client.get(f"/api/v1/plans/{token}").json["share"] == link


def test_posting_again_replaces_the_link_and_the_old_one_answers_404(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    first = _share(client, token)
    second = _share(client, token)
    assert first != second
    assert client.get(_path(first)).status_code == 404
    assert client.get(_path(second)).status_code == 200
    assert client.get(f"/api/v1/plans/{token}").json["share"] == second


def test_delete_revokes_the_link_and_keeps_the_runners_links(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    link = _share(client, token)
    assert client.delete(f"/api/v1/plans/{token}/share").status_code == 204
    assert client.get(_path(link)).status_code == 404
    got = client.get(f"/api/v1/plans/{token}").json
    assert got["share"] is None and got["token"] == token and got["links"] == stored_plan["links"]
    for url in stored_plan["links"].values():
        if url.startswith("http"):
            assert client.get(url).status_code == 200, url
    assert client.delete(f"/api/v1/plans/{token}/share").status_code == 204  # nothing shared: still done


def test_sharing_leaves_the_runners_token_links_and_plan_alone(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    before = client.get(f"/plans/{token}.ics").data
    _share(client, token)
    got = client.get(f"/api/v1/plans/{token}").json
    assert got["token"] == token and got["links"] == stored_plan["links"] and got["plan"] == stored_plan["plan"]
    assert client.get(f"/plans/{token}.ics").data == before  # the calendar does not change


def test_the_share_token_opens_no_runner_url_and_the_runner_token_no_shared_one(
        client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    share_token = _share_token(_share(client, token))
    for url in (f"/plans/{share_token}", f"/plans/{share_token}.ics", f"/plans/{share_token}.csv",
                f"/plans/{share_token}/garmin.zip", f"/api/v1/plans/{share_token}",
                f"/api/v1/plans/{share_token}/sessions"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/shared/{token}").status_code == 404
    assert client.get(f"/shared/{share_token}").status_code == 200


def test_rotating_the_runners_token_keeps_the_physios_link(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    link = _share(client, token)
    rotated = client.post(f"/plans/{token}/rotate", data={"confirm_rotate": "yes"})
    assert rotated.status_code == 303
    new_token = rotated.headers["Location"].split("/plans/")[1].split("#")[0]
    assert new_token != token
    assert client.get(_path(link)).status_code == 200
    assert client.get(f"/api/v1/plans/{new_token}").json["share"] == link
    assert client.get(f"/shared/{new_token}").status_code == 404


def test_deleting_the_plan_deletes_the_link(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    link = _share(client, token)
    assert client.delete(f"/api/v1/plans/{token}").status_code == 204
    assert client.get(_path(link)).status_code == 404


def test_an_unknown_plan_is_a_404_problem(client: FlaskClient) -> None:
    for method in ("post", "delete"):
        response = getattr(client, method)("/api/v1/plans/nope/share")
        assert response.status_code == 404 and response.mimetype == "application/problem+json", method


def test_openapi_describes_the_share_routes(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    route = document["paths"]["/api/v1/plans/{token}/share"]
    assert set(route) == {"parameters", "post", "delete"}
    assert route["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/ShareOut")
    assert "204" in route["delete"]["responses"]
    assert "share" in document["components"]["schemas"]["StoredPlanOut"]["properties"]


def test_share_spends_the_manage_limit(app: Flask, _database: str, stored_plan: dict) -> None:
    limited = create_app({
        "SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "planner.test", "TRUSTED_HOSTS": ["planner.test"],
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
    }).test_client()
    token = stored_plan["token"]
    statuses = [limited.post(f"/api/v1/plans/{token}/share").status_code for _ in range(25)]
    assert statuses[0] == 201 and 429 in statuses, statuses
    refused = limited.delete(f"/api/v1/plans/{token}/share")  # one budget for making and revoking
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


# Whatever the runner does, in any order: only the latest share link opens the plan, and only the
# latest runner token opens the runner's URLs; neither ever opens the other's.
STEPS = st.lists(st.sampled_from(["share", "stop", "rotate"]), min_size=1, max_size=6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_only_the_latest_link_of_each_kind_works(client: FlaskClient, steps: list[str]) -> None:
    token = client.post("/api/v1/plans", json={"weekly_volume": 10, "current_pain": 1}).json["token"]
    tokens, shares, current_share = [token], [], None
    for step in steps:
        if step == "share":
            current_share = _share_token(_share(client, tokens[-1]))
            shares.append(current_share)
        elif step == "stop":
            assert client.delete(f"/api/v1/plans/{tokens[-1]}/share").status_code == 204
            current_share = None
        else:
            rotated = client.post(f"/plans/{tokens[-1]}/rotate", data={"confirm_rotate": "yes"})
            tokens.append(rotated.headers["Location"].split("/plans/")[1].split("#")[0])
    for old in tokens[:-1]:
        assert client.get(f"/api/v1/plans/{old}").status_code == 404
    expected = SHARED + current_share if current_share else None
    assert client.get(f"/api/v1/plans/{tokens[-1]}").json["share"] == expected
    for share_token in shares:
        assert client.get(f"/shared/{share_token}").status_code == (200 if share_token == current_share else 404)
        assert client.get(f"/plans/{share_token}").status_code == 404
    for runner_token in tokens:
        assert client.get(f"/shared/{runner_token}").status_code == 404
