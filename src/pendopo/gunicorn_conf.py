"""Gunicorn hooks for ``pendopo serve``."""

from __future__ import annotations

import threading
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Build the screening index in the background as soon as a worker starts, so the first
    screening request does not wait for it (the build takes seconds on a regency's registry).
    Requests that arrive earlier simply wait on the index's lock."""

    def warm() -> None:
        try:
            from django.db import connection

            from pendopo.aid.linkage import OnlineIndex

            OnlineIndex.get()
            connection.close()
        except Exception as exc:  # a database not migrated yet: the first request builds it  # noqa: BLE001
            worker.log.warning("indeks penyaringan belum dibangun / screening index not built: %s", exc)

    threading.Thread(target=warm, name="pendopo-index-warmup", daemon=True).start()
