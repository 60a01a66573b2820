"""gunicorn with nginx in front of it, on this machine, together: `make serve-nginx`.

    NGINX_LISTEN   where nginx listens (default 127.0.0.1:8080)
    BIND or PORT   where gunicorn listens, for nginx only (default 127.0.0.1:8000, as `make run`)
    TRUSTED_PROXIES  defaults to 1 here: the app believes the X-Forwarded-For nginx appends

and everything gunicorn.conf.py and the app read (DATABASE_URL, RATELIMIT_STORAGE_URI, ...).
nginx runs as the current user (no root needed) from deploy/nginx.conf, rendered into a temporary
prefix that is deleted afterwards; its error log reaches stderr with plan tokens masked. Ctrl-C or
SIGTERM stops both; when either one exits, the other is stopped too.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
WORKER_USER = "nobody"  # who nginx's workers run as when it is started as root


def nginx_binary() -> str | None:
    """nginx on PATH, or Debian's /usr/sbin/nginx (not on a user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render(prefix: Path, listen: str, upstream: str) -> Path:
    """deploy/nginx.conf with its values filled in, written to prefix/nginx.conf."""
    prefix.mkdir(parents=True, exist_ok=True)
    user = ""
    if os.geteuid() == 0:
        # As root, nginx's workers drop to an unprivileged user: it must reach the temporary folders
        # (nginx creates and hands them over itself), so the prefix may be passed through, not read.
        entry = pwd.getpwnam(WORKER_USER)
        user = f"user {WORKER_USER} {grp.getgrgid(entry.pw_gid).gr_name};"
        prefix.chmod(0o711)
    text = TEMPLATE.read_text()
    for name, value in {"@PREFIX@": str(prefix), "@LISTEN@": listen, "@UPSTREAM@": upstream, "@USER@": user}.items():
        text = text.replace(name, value)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


def _masking(source: IO[bytes], sink: IO[str]) -> threading.Thread:
    """Copy `source` to `sink` line by line with plan tokens masked, until it closes."""
    sys.path.insert(0, str(ROOT))
    from planner.logs import mask_tokens

    def copy() -> None:
        for line in iter(source.readline, b""):
            sink.write(mask_tokens(line.decode(errors="replace")))
            sink.flush()

    thread = threading.Thread(target=copy, daemon=True)
    thread.start()
    return thread


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answers on {host}:{port} after {seconds:.0f} s")
        time.sleep(0.1)


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


class Nginx:
    """nginx from deploy/nginx.conf in a temporary prefix, in the foreground; `log` gets its stderr."""

    def __init__(self, listen: str, upstream: str, log: IO[str] | None = None) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx, or `make nginx` as root)")
        self.listen, self.upstream = listen, upstream
        self.prefix = Path(tempfile.mkdtemp(prefix="planner-nginx-"))
        conf = render(self.prefix, listen, upstream)
        check = subprocess.run([binary, "-t", "-q", "-p", str(self.prefix), "-e", "stderr", "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            shutil.rmtree(self.prefix, ignore_errors=True)
            raise RuntimeError(f"nginx -t refused {conf}:\n{check.stderr}")
        self.process = subprocess.Popen([binary, "-p", str(self.prefix), "-e", "stderr", "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert self.process.stderr is not None
        self.copier = _masking(self.process.stderr, log or sys.stderr)

    def wait_ready(self, seconds: float = 30) -> None:
        wait_for_port(*split_address(self.listen), self.process, seconds)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.copier.join(timeout=5)
        shutil.rmtree(self.prefix, ignore_errors=True)


def main() -> int:
    listen = os.environ.get("NGINX_LISTEN", "127.0.0.1:8080")
    upstream = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
    env = {**os.environ, "BIND": upstream}
    env.setdefault("TRUSTED_PROXIES", "1")
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                cwd=ROOT, env=env)
    nginx: Nginx | None = None
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        wait_for_port(*split_address(upstream), gunicorn, seconds=60)
        nginx = Nginx(listen, upstream)
        nginx.wait_ready()
        print(f"serving on http://{listen} (nginx) -> gunicorn on {upstream}; Ctrl-C stops both", flush=True)
        while not stopping.is_set() and gunicorn.poll() is None and nginx.process.poll() is None:
            stopping.wait(0.5)
    finally:
        if nginx is not None:
            nginx.stop()
        if gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
    return 0 if stopping.is_set() else 1


if __name__ == "__main__":
    sys.exit(main())
