"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` starts).

Environment: BIND (host:port) or PORT (on 127.0.0.1), WEB_CONCURRENCY (workers), GUNICORN_THREADS.
Access and error logs go to stdout/stderr with every plan token cut to its first four characters.
"""

from __future__ import annotations

import multiprocessing
import os

from gunicorn.glogging import Logger

from planner import TokenMaskingFilter

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)

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
