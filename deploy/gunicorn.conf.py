"""Gunicorn settings for Nyth (`make serve`, deploy/nyth-web.service, the smoke suite).

Run as: gunicorn -c deploy/gunicorn.conf.py config.wsgi
Everything can be overridden from the environment; see docs/deploy.md.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "config.wsgi:application"
# Behind the reverse proxy on loopback (or a unix socket: NYTH_BIND=unix:/run/nyth/web.sock).
bind = [os.environ.get("NYTH_BIND", "127.0.0.1:8000")]

# Sync workers: Django's ORM and the request transaction are synchronous. The usual rule of
# thumb (2 × cores + 1), overridable for small machines or containers with a CPU quota.
workers = _int("NYTH_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request longer than this is killed: long work belongs in a background task (the CSV import).
timeout = _int("NYTH_WEB_TIMEOUT", 30)
graceful_timeout = _int("NYTH_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = _int("NYTH_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Refuse oversized request lines and headers early (the proxy limits bodies; see nginx example).
limit_request_line = 8190
limit_request_fields = 100

# Gunicorn itself trusts X-Forwarded-* only from these addresses (the proxy on loopback).
# Django decides HTTPS from X-Forwarded-Proto separately (NYTH_BEHIND_PROXY).
forwarded_allow_ips = os.environ.get("NYTH_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr (journald or the container collects them).
accesslog = os.environ.get("NYTH_ACCESS_LOG", "-")
errorlog = os.environ.get("NYTH_ERROR_LOG", "-")
loglevel = os.environ.get("NYTH_GUNICORN_LOG_LEVEL", "info")
# No query strings and no Referer in the access log: search terms (a child's name) and the
# referring page's query would otherwise be written to disk on every request. %(U)s is the
# path without the query; %(r)s (the request line) and %(q)s are deliberately absent.
access_log_format = '%(h)s - %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

proc_name = "nyth-web"
# Gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), so two
# servers under one account (web plus the smoke suite, or two sites) would fight over it. Off
# unless NYTH_GUNICORN_CONTROL_SOCKET names a path of its own.
if os.environ.get("NYTH_GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["NYTH_GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
