"""OpenAPI 3.1, generated from the same pydantic models that validate and serialise."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..schemas import (
    ActivityResultOut,
    AwayModel,
    AwayResultOut,
    CheckInModel,
    CheckInResultOut,
    IntervalsConnectionModel,
    MorningModel,
    PlanOut,
    PlanRequestModel,
    PreviewRequestModel,
    Problem,
    ReferralOut,
    ReminderModel,
    SessionTableOut,
    ShareOut,
    StoredPlanOut,
)

REF = "#/components/schemas/{model}"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(model)}}


def _problems(*statuses: int) -> dict[str, Any]:
    words = {400: "Not JSON", 404: "No plan with that token", 415: "Not sent as application/json",
             409: "Email reminders are not set up on this server (no SMTP_URL); nothing saved",
             422: "Invalid values", 429: "Too many requests", 503: "intervals.icu did not answer; nothing saved"}
    return {
        str(code): {"description": words[code], "content": {"application/problem+json": {"schema": _ref(Problem)}}}
        for code in statuses
    }


TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
DATE = {"name": "date", "in": "path", "required": True, "description": "The day of the check-in (ISO date).",
        "schema": {"type": "string", "format": "date"}}
# described as they validate
INPUTS = (PlanRequestModel, PreviewRequestModel, CheckInModel, MorningModel, IntervalsConnectionModel, ReminderModel,
          AwayModel)
AWAY_START = {"name": "start", "in": "path", "required": True, "description": "The first day away (ISO date).",
              "schema": {"type": "string", "format": "date"}}


@cache
def document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [*INPUTS, PlanOut, StoredPlanOut, ReferralOut,
                                     CheckInResultOut, SessionTableOut, ActivityResultOut, ShareOut, AwayResultOut,
                                     Problem]
    _, schemas = models_json_schema([(m, "validation" if m in INPUTS else "serialization")
                                     for m in models], ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Return-to-Run Planner",
            "version": "1.0.0",
            "description": "Graded return-to-running plans for tendon injuries. Not medical advice.",
        },
        "paths": {
            "/api/v1/plans/preview": {"post": {
                "operationId": "previewPlan",
                "summary": "Compute a plan without storing it; with checkins and as_of, a what-if",
                "requestBody": {"required": True, "content": _json(PreviewRequestModel)},
                "responses": {"200": {"description": "The plan", "content": _json(PlanOut)},
                              **_problems(400, 415, 422)},
            }},
            "/api/v1/plans": {"post": {
                "operationId": "createPlan", "summary": "Store a plan; red flags answer 200 with a referral",
                "requestBody": {"required": True, "content": _json(PlanRequestModel)},
                "responses": {
                    "201": {"description": "Stored", "content": _json(StoredPlanOut),
                            "headers": {"Location": {"schema": {"type": "string"}}}},
                    "200": {"description": "A referral: nothing stored",
                            "content": _json(ReferralOut)},
                    **_problems(400, 415, 422, 429),
                },
            }},
            "/api/v1/plans/{token}": {
                "parameters": [TOKEN],
                "get": {"operationId": "getPlan", "summary": "A stored plan and its check-ins",
                        "responses": {"200": {"description": "The plan", "content": _json(StoredPlanOut)},
                                      **_problems(404)}},
                "delete": {"operationId": "deletePlan", "summary": "Delete a plan and every URL of it",
                           "responses": {"204": {"description": "Deleted"}, **_problems(404)}},
            },
            "/api/v1/plans/{token}/sessions": {
                "parameters": [TOKEN],
                "get": {"operationId": "getSessionTable", "summary": "One row per session, as in the CSV export",
                        "responses": {"200": {"description": "The table", "content": _json(SessionTableOut)},
                                      **_problems(404)}},
            },
            "/api/v1/plans/{token}/checkins": {
                "parameters": [TOKEN],
                "post": {"operationId": "addCheckIn", "summary": "Log how a session felt; re-plans what follows",
                         "requestBody": {"required": True, "content": _json(CheckInModel)},
                         "responses": {"201": {"description": "Recorded", "content": _json(CheckInResultOut)},
                                       **_problems(400, 404, 415, 422, 429)}},
            },
            "/api/v1/plans/{token}/activities": {
                "parameters": [TOKEN],
                "post": {"operationId": "addActivity",
                         "summary": "A finished run's file (FIT, GPX or TCX): its numbers go with that day's "
                                    "check-in (rule 36); the file is not kept",
                         "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                             "type": "object", "required": ["file"],
                             "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                                     "description": "FIT, GPX or TCX, at most 10 MB"}}}}}},
                         "responses": {"201": {"description": "Read", "content": _json(ActivityResultOut)},
                                       **_problems(404, 422, 429)}},
            },
            "/api/v1/plans/{token}/connections/intervals": {
                "parameters": [TOKEN],
                "put": {"operationId": "connectIntervals",
                        "summary": "Link the plan to the runner's intervals.icu calendar (and so Garmin Connect's): "
                                   "the key is checked with intervals.icu, then stored encrypted and never returned",
                        "requestBody": {"required": True, "content": _json(IntervalsConnectionModel)},
                        "responses": {"204": {"description": "Linked; the worker's next pass syncs the plan"},
                                      **_problems(400, 404, 415, 422, 429, 503)}},
                "delete": {"operationId": "disconnectIntervals",
                           "summary": "Unlink: the worker removes our events from that calendar, then deletes the key",
                           "responses": {"204": {"description": "Unlinked"}, **_problems(404, 429)}},
            },
            "/api/v1/plans/{token}/reminders": {
                "parameters": [TOKEN],
                "put": {"operationId": "subscribeReminders",
                        "summary": "Email a reminder the morning after each run: yesterday's check-in link and "
                                   "today's session. The address is stored encrypted and shown back masked only",
                        "requestBody": {"required": True, "content": _json(ReminderModel)},
                        "responses": {"204": {"description": "Subscribed"},
                                      **_problems(400, 404, 409, 415, 422, 429)}},
                "delete": {"operationId": "stopReminders",
                           "summary": "No more reminders; the address is deleted",
                           "responses": {"204": {"description": "Stopped"}, **_problems(404, 429)}},
            },
            "/api/v1/plans/{token}/share": {
                "parameters": [TOKEN],
                "post": {"operationId": "sharePlan",
                         "summary": "A read-only link for a physio (GET /shared/{share_token}); replaces any "
                                    "earlier one, which answers 404 from then on",
                         "responses": {"201": {"description": "The link", "content": _json(ShareOut)},
                                       **_problems(404, 429)}},
                "delete": {"operationId": "stopSharing",
                           "summary": "Revoke the physio's link; the runner's token and links stay",
                           "responses": {"204": {"description": "Not shared any more"}, **_problems(404, 429)}},
            },
            "/api/v1/plans/{token}/away": {
                "parameters": [TOKEN],
                "post": {"operationId": "addAway",
                         "summary": "Days away with no sessions; re-plans from today on. Up to 7 days is planned "
                                    "rest (no step back; the plan moves on), longer restarts at about 80% (8-13 "
                                    "days) or half (14 or more) of the last week run (rule 7). It may have begun, "
                                    "not ended before yesterday, and holds no day checked in",
                         "requestBody": {"required": True, "content": _json(AwayModel)},
                         "responses": {"201": {"description": "Stored", "content": _json(AwayResultOut)},
                                       **_problems(400, 404, 415, 422, 429)}},
            },
            "/api/v1/plans/{token}/away/{start}": {
                "parameters": [TOKEN, AWAY_START],
                "delete": {"operationId": "removeAway",
                           "summary": "Remove the time away starting on that day; re-plans from today on",
                           "responses": {"200": {"description": "Removed", "content": _json(AwayResultOut)},
                                         **_problems(404, 429)}},
            },
            "/api/v1/plans/{token}/checkins/{date}": {
                "parameters": [TOKEN, DATE],
                "patch": {"operationId": "addMorningScore",
                          "summary": "Add or correct a check-in's next-morning score (and notes); re-plans",
                          "requestBody": {"required": True, "content": _json(MorningModel)},
                          "responses": {"200": {"description": "Recorded", "content": _json(CheckInResultOut)},
                                        **_problems(400, 404, 415, 422, 429)}},
            },
        },
        "components": {"schemas": schemas["$defs"]},
    }
