"""Gunicorn settings for Lokala mål: `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment. The app keeps nothing in memory that
another process needs (login limits, ended sessions and board versions live in the
database; login limits and board versions in Redis when REDIS_URL is set), so any number of
workers and servers can run side by side.
"""

import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8)))
# One thread per worker makes gunicorn use sync workers. Threads measured slower here (see
# the README's benchmark): they pass Python's lock around on every database round trip.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are not recycled by default: a new worker imports the whole app, and while it
# does, the requests queued on it wait (hundreds of milliseconds at every replacement).
# Set GUNICORN_MAX_REQUESTS to replace each worker after that many requests.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk

# Gunicorn's own X-Forwarded-* trust: the app uses PROXY_FIX_X_* instead (see README).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Off unless asked for: request lines can hold password-reset links. Logins and refusals
# are logged by the app itself, as JSON lines (SECURITY_LOG_FILE).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
