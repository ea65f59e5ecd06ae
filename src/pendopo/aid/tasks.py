"""Background work of the aid app, run by the task worker (`pendopo serve` starts one)."""

from __future__ import annotations

from django_tasks import task


@task()
def screen_upload(upload_id: int) -> None:
    from pendopo.aid.intake import screening_upload_run

    screening_upload_run(upload_id=upload_id)
