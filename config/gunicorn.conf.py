"""gunicorn's settings for ``make serve``, the one production web command (the Dockerfile and
docker-compose.yml run it too). Every value can be changed from the environment.

- Worker class ``gthread`` (threads in each process), ``STRIDE_WEB_WORKERS`` processes (default:
  one per core) of ``STRIDE_WEB_THREADS`` threads (default 20, ``config.serving``). A request
  is CPU-bound Python (a few ms holding the GIL) plus waits on PostgreSQL and Redis: one
  process per core is what the cores can run, and a few threads fill the waits; the others are
  for requests waiting for a grade (``?wait=N``), which hold a thread but no CPU. Threads are
  also what lets a login not stall its process: the password hash runs outside the GIL in one
  thread, bounded by ``STRIDE_LOGIN_CONCURRENCY`` per process (exercises.accounts.logins), while the
  other threads serve. With sync workers every login would hold a whole process for its hash.
- Bounded queues, so that overload is refused quickly instead of served to clients that have
  already given up: ``STRIDE_WEB_BACKLOG`` connections wait in the kernel (default 64, against
  gunicorn's 2048), each process holds at most ``worker_connections`` clients, and a request
  that waited longer than ``STRIDE_WEB_QUEUE_TIMEOUT`` seconds (default 10) for a thread is
  answered 503 with ``Retry-After`` without running (config.gunicorn_worker).
- ``STRIDE_WEB_TIMEOUT`` (default 30 s): a process silent that long is killed and replaced;
  ``STRIDE_WEB_MAX_REQUESTS`` (default 50,000, staggered by a tenth): a process is replaced after
  serving that many requests.
- ``X-Forwarded-Proto`` and the like are believed only from ``STRIDE_TRUSTED_PROXIES``, the
  same proxies Stride believes about ``X-Forwarded-For`` (default: none).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # config.*, before chdir

from config.env import env_int, env_list, env_str
from config.serving import web_threads

bind = [env_str("STRIDE_BIND") or "127.0.0.1:8000"]
wsgi_app = "config.wsgi:application"
worker_class = "config.gunicorn_worker.SheddingThreadWorker"
workers = env_int("STRIDE_WEB_WORKERS", os.cpu_count() or 1)
threads = web_threads()
# Clients a process holds at once: its threads' requests plus idle keep-alive connections.
worker_connections = env_int("STRIDE_WEB_CONNECTIONS", 250)
backlog = env_int("STRIDE_WEB_BACKLOG", 64)
timeout = env_int("STRIDE_WEB_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Restart a process now and then, staggered, so slow leaks cannot pile up. Rarely: a new
# process starts with cold caches and new database connections, and at 5,000 a class of 300
# replaced two or three processes a minute.
max_requests = env_int("STRIDE_WEB_MAX_REQUESTS", 50000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = ",".join(env_list("STRIDE_TRUSTED_PROXIES", []))
accesslog = "-"
errorlog = "-"
# No control socket: it would live at one path in the home folder, shared by every server of
# the same user on the host (and the image's user has no home to write it to).
control_socket_disable = True
