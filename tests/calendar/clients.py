"""Two strict calendar clients, run as they ship, on feed files: ical.js (Thunderbird's parser, through
node and tests/js/instants.mjs) and khal (its own command line: `import`, then `list`).

Both report each event's start and end as instants (UTC) or dates, so the tests can hold them against
what Python's zoneinfo says. Without node and `npm ci --prefix tests/js` the ical.js tests skip, saying
so, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[1] / "js"
KHAL = Path(sys.executable).parent / "khal"
PYTHON = sys.executable

Moment = datetime | date  # an instant in UTC (timed events) or a day (all-day events)


@dataclass(frozen=True)
class Reading:
    """What one client understood of a feed."""

    events: dict[str, tuple[Moment, Moment]]  # UID -> (start, end)
    name: str | None = None
    calname: str | None = None


def _moment(text: str) -> Moment:
    if "T" in text:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return date.fromisoformat(text)


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (CI requires it)")
    pytest.skip(what)


def icaljs(feed: Path) -> Reading:
    """The feed as ical.js reads it, with the VTIMEZONE blocks in the file as its only time zones."""
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed")
    if not (JS / "node_modules" / "ical.js").is_dir():
        _missing("ical.js is not installed: run `npm ci --prefix tests/js`")
    result = subprocess.run([str(node), str(JS / "instants.mjs"), str(feed)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    [read] = json.loads(result.stdout)
    return Reading({e["uid"]: (_moment(e["start"]), _moment(e["end"])) for e in read["events"]},
                   read["name"], read["calname"])


KHAL_CONFIG = """
[calendars]
[[plan]]
path = {folder}/calendar/
type = calendar

[locale]
local_timezone = UTC
default_timezone = UTC
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%dT%H:%M
longdatetimeformat = %Y-%m-%dT%H:%M:%SZ

[sqlite]
path = {folder}/khal.db
"""


def khal(feed: Path, folder: Path, first: date, last: date) -> Reading:
    """The feed imported into a fresh khal calendar (`khal import --batch` takes a file whole or not at
    all), then every event from `first` to `last` as `khal list` shows it, in UTC."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calendar").mkdir()
    config = folder / "config"
    config.write_text(KHAL_CONFIG.format(folder=folder))

    def run(*args: str) -> str:
        result = subprocess.run([str(KHAL), "-c", str(config), *args], capture_output=True, text=True,
                                timeout=300, input="")
        assert result.returncode == 0, f"khal {args[0]}: {result.stdout}{result.stderr}"
        return result.stdout

    run("import", "--batch", str(feed))
    listed = run("list", "--day-format", "", "--format", "{uid}\t{start-long}\t{end-long}\t{all-day}",
                 first.isoformat(), last.isoformat())
    events: dict[str, tuple[Moment, Moment]] = {}
    for line in filter(None, listed.splitlines()):
        uid, start, end, all_day = line.split("\t")
        if all_day == "True":  # khal shows the last day of an all-day event; DTEND is the day after
            first, last = date.fromisoformat(start), date.fromisoformat(end)
            events[uid] = (first, date.fromordinal(last.toordinal() + 1))
        else:
            events[uid] = (_moment(start), _moment(end))  # an event shown on two days is listed twice
    return Reading(events)


def khal_names(feed: Path) -> tuple[str, str]:
    """NAME and X-WR-CALNAME as khal's parser reads them. khal takes a calendar's name from its own
    settings, so this asks the parser it reads every file with (its icalendar setup, in a process of
    its own: importing khal switches icalendar to pytz for the whole process)."""
    code = ("import json, sys; from khal.icalendar import cal_from_ics; "
            "cal = cal_from_ics(open(sys.argv[1], encoding='utf-8').read()); "
            "print(json.dumps([str(cal['NAME']), str(cal['X-WR-CALNAME'])]))")
    result = subprocess.run([PYTHON, "-c", code, str(feed)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    name, calname = json.loads(result.stdout)
    return name, calname
