"""Background work of the registry, run by the task worker."""

from __future__ import annotations

from django_tasks import task


@task()
def import_upload(upload_id: int) -> None:
    from pendopo.population.uploads import registry_upload_run

    registry_upload_run(upload_id=upload_id)


@task()
def export_residents(job_id: int) -> None:
    from pendopo.population.exports import resident_export_run

    resident_export_run(job_id=job_id)
