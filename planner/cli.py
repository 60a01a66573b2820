"""`flask --app wsgi plans …` (commands for the stored plans) and `flask --app wsgi worker`."""

from __future__ import annotations

import logging

import click
from flask import Flask

from . import services


def register(app: Flask) -> None:
    @app.cli.group("plans")
    def plans() -> None:
        """Stored plans."""

    @plans.command("replan")
    def replan() -> None:
        """Move every stored plan's future onto the installed rules; days already passed stay as they were.

        Plans already on the installed rules are left alone, so a second run changes nothing.
        """
        moved = 0
        for done in services.upgrade_all():
            moved += 1
            click.echo(f"{done.token[:4]}…  rules {done.from_version} -> {done.to_version}, "
                       f"{done.changed_events} calendar events changed")
        click.echo(f"{moved} plan{'' if moved == 1 else 's'} moved onto the installed rules"
                   if moved else "Every plan is already on the installed rules; nothing changed.")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Do what is due now, then exit (tests, cron).")
    def worker(once: bool) -> None:
        """Send pending intervals.icu syncs and due email reminders until stopped (SIGTERM or Ctrl-C
        finish the request in flight)."""
        from .sync.worker import Worker

        logging.basicConfig(format="%(asctime)s worker %(levelname)s %(message)s")  # when nothing set one up
        logging.getLogger("planner").setLevel(logging.INFO)  # a line per pass: what it sent, or why it waits
        running = Worker(app)
        running.stop_on_signals()
        passes = running.run(once=once)
        if once:
            click.echo(f"{len(passes)} pass{'' if len(passes) == 1 else 'es'} done")
