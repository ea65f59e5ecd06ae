"""Background work of the registry, run by the task worker."""

from __future__ import annotations

from django_tasks import task


@task()
def import_upload(upload_id: int) -> None:
    from pendopo.population.uploads import registry_upload_run

    registry_upload_run(upload_id=upload_id)
