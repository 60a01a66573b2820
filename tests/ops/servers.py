"""Real servers on loopback for the operations tests: gunicorn (gunicorn.conf.py, as `make run`
starts it) and nginx (deploy/nginx.conf), each started on a free port and always stopped."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from .conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"


def request(port: int, method: str, path: str, body: dict | None = None, *, timeout: float = 30,
            headers: dict[str, str] | None = None, source: str | None = None) -> tuple[int, Any, dict[str, str]]:
    """One request on a new connection: (status, JSON body or text, headers in lower case). `source`: the
    loopback address to send from (all of 127.0.0.0/8 is loopback), so a test can be several clients."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        sent = dict(headers or {})
        if body is not None:
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = connection.getresponse()
        data = response.read()
        answer: Any = data.decode(errors="replace")
        if "json" in (response.getheader("Content-Type") or ""):
            answer = json.loads(data)
        return response.status, answer, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py wsgi:app` with `env` on top of this process's environment."""

    def __init__(self, log: Path, env: dict[str, str], *, workers: int = 2, threads: int | None = None,
                 port: int | None = None) -> None:
        """`threads`: GUNICORN_THREADS, or gunicorn.conf.py's default when None."""
        self.port = port or free_port()
        self.workers_wanted = workers
        self.log_path = log
        self.env = {**os.environ, "SECRET_KEY": "ops-test", "BIND": f"{HOST}:{self.port}",
                    "WEB_CONCURRENCY": str(workers), **env}
        self.env.pop("GUNICORN_THREADS", None)
        if threads is not None:
            self.env["GUNICORN_THREADS"] = str(threads)
        self.log = log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, *, healthy: bool = True, seconds: float = 60) -> None:
        """Until every worker is up and /healthz answers (200, or anything when not `healthy`)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                status = request(self.port, "GET", "/healthz", timeout=5)[0]
                if (status == 200 or not healthy) and len(self.workers()) == self.workers_wanted:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited {self.process.returncode}:\n{self.read_log()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn was not ready in {seconds:.0f} s:\n{self.read_log()[-3000:]}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a machine gone, nothing shut down cleanly."""
        victims = [self.process.pid, *self.workers()]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        for pid in victims[1:]:  # orphaned workers are reaped by init; wait until they are gone
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                try:
                    if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                        break
                except OSError:
                    break
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def read_log(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


def deploy_serve() -> ModuleType:
    """deploy/serve.py as a module (deploy/ is no package): Nginx, render, nginx_binary."""
    name = "planner_deploy_serve"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / "serve.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def migrate(env: dict[str, str]) -> None:
    """`flask --app wsgi db upgrade` on env's DATABASE_URL, as `make run` does before serving."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
