# `make run`: install, migrate, serve on http://127.0.0.1:8000 and run the sync worker beside it.
# `make test`: install test tools, lint, type-check, run the suite on SQLite and then PostgreSQL.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: help run test lint typecheck pytest-sqlite pytest-postgres browser bench

help:
	@echo "make run    install, migrate the database, serve on http://127.0.0.1:8000"
	@echo "make test   lint, type-check, run every test on SQLite and on PostgreSQL"
	@echo "make bench  load and fault run against a local gunicorn (bench/README.md)"
	@echo "make serve-nginx  the app behind nginx on http://127.0.0.1:8080 (the production recipe)"
	@echo "make lock   refresh requirements*.lock after editing requirements*.txt"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when a lock file changed.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

# `make lock`: after editing requirements.txt or requirements-dev.txt, pin every package, transitive ones
# too, with hashes. The dev lock first; the runtime lock takes its versions from it, so `make run` runs what
# the tests ran. Pins already in a lock stay unless a requirement moves them (`make lock LOCK_ARGS=--upgrade`
# refreshes all). pip-tools comes from the dev lock itself.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links $(LOCK_ARGS)
.PHONY: lock
lock: $(VENV)/.dev
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.txt
	$(PIP_COMPILE) --constraint requirements-dev.lock --output-file requirements.lock requirements.txt

# The worker (intervals.icu syncs) runs beside gunicorn and stops with it.
run: $(VENV)/.runtime
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Browser tests use Debian's Chromium; as root, install it when missing. Tests skip, saying why, without it.
browser:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: could not install chromium; browser tests will be skipped"; \
	else echo "warning: chromium is not installed (needs root to install); browser tests will be skipped"; fi

# The calendar tests read the feed with ical.js through node (tests/calendar/clients.py). Without
# npm they skip, saying so; CI (CI=true) requires them.
JS_DEPS := tests/js/node_modules/.package-lock.json

$(JS_DEPS): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/js --no-audit --no-fund; \
	elif [ "$${CI:-}" = true ]; then echo "FAILED: npm is not installed, and CI requires the ical.js tests"; exit 1; \
	else echo "warning: npm is not installed; the ical.js calendar tests will be skipped"; fi

# The nginx tests (tests/ops) and `make serve-nginx` use Debian's nginx; as root, install it when missing.
# Without it those tests skip, saying why (in CI, CI=true, they fail).
.PHONY: nginx serve-nginx
nginx:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's nginx for the proxy tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
	    || echo "warning: could not install nginx; the nginx tests will be skipped"; \
	else echo "warning: nginx is not installed (needs root to install); the nginx tests will be skipped"; fi

# gunicorn (BIND, default 127.0.0.1:8000) behind nginx on NGINX_LISTEN (default 127.0.0.1:8080), run as
# the current user with a temporary prefix; Ctrl-C stops both (deploy/serve.py).
serve-nginx: $(VENV)/.runtime nginx
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/python deploy/serve.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

# pytest's exit code 5 (no tests collected) counts as a failure, like any other non-zero code.
define run_pytest
rc=0; $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "FAILED: pytest ran no tests ($(1))"; exit 1; fi; \
	if [ $$rc -ne 0 ]; then echo "FAILED: pytest on $(1) exited $$rc"; exit $$rc; fi
endef

pytest-sqlite: $(VENV)/.dev browser nginx $(JS_DEPS)
	@echo "== pytest on SQLite =="
	@unset DATABASE_URL; $(call run_pytest,SQLite)

# PostgreSQL: required in CI (CI=true); elsewhere skipped with a message when no server answers.
pytest-postgres: $(VENV)/.dev browser nginx $(JS_DEPS)
	@if ! $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null \
	   && [ "$$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1; then \
	  echo "PostgreSQL does not answer; starting the local cluster"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; sleep 2; \
	fi; \
	if ! $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  if [ "$${CI:-}" = true ]; then echo "FAILED: PostgreSQL does not answer at $(PG_URL), and CI requires it"; exit 1; fi; \
	  echo "SKIPPED: PostgreSQL does not answer at $(PG_URL); the suite ran on SQLite only"; exit 0; \
	fi; \
	echo "== pytest on PostgreSQL =="; \
	export DATABASE_URL='$(PG_URL)'; $(call run_pytest,PostgreSQL)

test: lint typecheck
	$(MAKE) --no-print-directory pytest-sqlite
	$(MAKE) --no-print-directory pytest-postgres

bench: $(VENV)/.dev
	$(BIN)/python bench/load.py
