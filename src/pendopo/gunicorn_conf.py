"""Gunicorn hooks for ``pendopo serve``."""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

# The application is loaded once in the master and the screening index built there before the
# workers are forked, so every worker starts with it at once and they share its memory (copy on
# write) instead of each building and holding its own. PENDOPO_PRELOAD=0 turns this off.
preload_app = os.environ.get("PENDOPO_PRELOAD", "1").lower() not in {"0", "false", "no"}


def when_ready(server: Any) -> None:
    """In the master, before the workers are forked (with ``preload_app``): build the index,
    close the database connections the workers must not share, and move every object made so
    far out of the garbage collector's reach (``gc.freeze``), so collections in the workers do
    not write to, and so copy, the shared pages."""
    if not preload_app:
        return
    try:
        from django.db import connections

        from pendopo.aid.linkage import OnlineIndex

        OnlineIndex.get()
        connections.close_all()
    except Exception as exc:  # a database not migrated yet: each worker builds it later  # noqa: BLE001
        server.log.warning("indeks penyaringan belum dibangun / screening index not built: %s", exc)
    gc.freeze()
    server.log.info("indeks penyaringan siap, dibagi ke semua worker / screening index ready, shared by the workers")


def post_worker_init(worker: Any) -> None:
    """Build the screening index in the background as soon as a worker starts, so the first
    screening request does not wait for it (the build takes seconds on a regency's registry).
    Requests that arrive earlier simply wait on the index's lock. With ``preload_app`` the
    worker already has the master's index, and this only checks its version."""

    def warm() -> None:
        try:
            from django.db import connection

            from pendopo.aid.linkage import OnlineIndex

            OnlineIndex.get()
            connection.close()
        except Exception as exc:  # a database not migrated yet: the first request builds it  # noqa: BLE001
            worker.log.warning("indeks penyaringan belum dibangun / screening index not built: %s", exc)

    threading.Thread(target=warm, name="pendopo-index-warmup", daemon=True).start()


_worker: Any = None


def on_starting(server: Any) -> None:
    """Start the task worker (spreadsheet screening and other background work) beside the web
    workers, so `pendopo serve` is the whole product. Set PENDOPO_TASK_WORKER=0 to run
    `pendopo db-worker` separately, for example on another machine."""
    import subprocess
    import sys

    global _worker
    if os.environ.get("PENDOPO_TASK_WORKER", "1").lower() in {"0", "false", "no"}:
        return
    _worker = subprocess.Popen([sys.executable, "-m", "pendopo.cli", "db_worker", "--interval", "0.5"])  # noqa: S603
    server.log.info("pekerja tugas dimulai / task worker started (pid %s)", _worker.pid)


def on_exit(server: Any) -> None:
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=20)
        except Exception:  # noqa: BLE001
            _worker.kill()
