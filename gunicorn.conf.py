"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` starts).

Environment: BIND (host:port) or PORT (on 127.0.0.1), WEB_CONCURRENCY (workers), GUNICORN_THREADS.
Access and error logs go to stdout/stderr with every plan token cut to its first four characters.

Facing clients directly (`make run`), a client that sends its request slowly holds one of the
worker's threads until it has sent the last header line: gunicorn has no deadline for a request's
head. So each worker has 16 threads (started only when needed) and takes a new connection only
while one of them is free (ThreadsFirstWorker below); with 5 workers, /healthz answers within
milliseconds beside 50 such clients, where 4 threads a worker answered 1 poll in 7. Some 80 slow
clients (workers x threads) would still starve it. In production put a buffering proxy in front
(deploy/nginx.conf, `make serve-nginx`): it reads each request whole before passing it on.
"""

from __future__ import annotations

import multiprocessing
import os

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from planner import TokenMaskingFilter

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)


class ThreadsFirstWorker(ThreadWorker):
    """gunicorn's gthread worker, taking a new connection only while one of its threads is free.

    gthread accepts while it holds fewer than worker_connections connections (1000), so a burst of
    connections lands on whichever worker wakes first: 50 slow clients were seen all on one worker,
    and every request that worker accepted after them waited behind them. Here a worker whose
    threads are all busy leaves new connections to the others (or to the listen backlog until a
    thread is free). Idle kept-alive connections, which wait in the worker's poller without a
    thread, do not count.
    """

    @property
    def worker_connections(self) -> int:
        idle = len(getattr(self, "keepalived_conns", ())) + len(getattr(self, "pending_conns", ()))
        return int(min(self.cfg.worker_connections, self.cfg.threads + idle))

    @worker_connections.setter
    def worker_connections(self, _value: int) -> None:
        """gunicorn sets it once from the settings; it is worked out as above instead."""


worker_class = ThreadsFirstWorker
threads = int(os.environ.get("GUNICORN_THREADS") or 16)  # see above: slow clients each hold one

# A request's head, bounded: the app's URLs are short, a browser sends about 20 header lines (a proxy
# adds a few), and a client dribbling one line every few seconds is cut off after 50 of them.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 8190

timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 20  # on SIGTERM/HUP, in-flight requests get this long to finish
keepalive = 5
max_requests = 2000  # recycle workers now and then, jittered so they never restart together
max_requests_jitter = 200

control_socket_disable = True  # several servers (tests, bench) may run side by side on one machine

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s%(q)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


class TokenMaskingLogger(Logger):
    """gunicorn's logger, with the app's token mask on the access and error logs."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, TokenMaskingFilter) for f in log.filters):
                log.addFilter(TokenMaskingFilter())


logger_class = TokenMaskingLogger
