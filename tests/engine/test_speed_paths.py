"""The engine's fast paths give what the plain ones would."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from planner.engine import Kind
from planner.engine.layout import UID_NAMESPACE, session_uid


def test_session_uid_is_uuid5_in_upper_case() -> None:
    for seed in ("", "b", "preview", "golden", "tëst/seed", "x" * 40):
        for offset in range(0, 800, 37):
            day = date(2025, 1, 1) + timedelta(days=offset)
            for kind in Kind:
                expected = str(uuid.uuid5(UID_NAMESPACE, f"{seed}/{day.isoformat()}/{kind.value}")).upper()
                assert session_uid(seed, day, kind) == expected
