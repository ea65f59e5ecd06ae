"""The registry import from the page: progress, summary, quarantine download and re-upload."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from pendopo.aid.tests.helpers import registry_file
from pendopo.core import services as core_services
from pendopo.core.testing import Personas
from pendopo.population.models import RegistryUpload, Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def post(c: Client, name: str, content: bytes, capture) -> object:  # type: ignore[no-untyped-def]
    f = io.BytesIO(content)
    f.name = name
    with capture(execute=True):
        return c.post(reverse("population:registry-upload"), {"file": f})


def test_an_uploaded_extract_is_imported_and_its_quarantine_can_be_fixed_and_uploaded_again(
        tmp_path: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    lines = registry_file(tmp_path).read_text(encoding="utf-8").splitlines()
    a1 = lines[1].split(",")
    lines[1] = ",".join([*a1[:1], a1[1][:6] + "010101" + a1[1][12:], *a1[2:]])  # birth digits of the NIK disagree
    c = Client()
    c.force_login(personas.admin)
    r = post(c, "ekstrak.csv", ("\n".join(lines) + "\n").encode(), django_capture_on_commit_callbacks)
    up = RegistryUpload.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("population:registry-upload-detail", args=[up.pk])
    assert up.status == "done" and up.registry_import.held_back == 1 and up.registry_import.created == len(lines) - 2
    page = c.get(r["Location"]).content.decode()
    assert 'data-testid="n-held">1<' in page and "tanggal lahir" in page
    q = c.get(reverse("population:quarantine-download", args=[up.registry_import.pk])).content.decode("utf-8-sig")
    head, row = q.splitlines()[0], q.splitlines()[1]
    assert head.endswith("alasan_karantina,baris_asal") and "tanggal lahir" in row
    fixed = ",".join(row.split(",")[:-2]).replace(a1[1][:6] + "010101" + a1[1][12:], a1[1])
    post(c, "karantina-diperbaiki.csv", (head + "\n" + fixed + ",,\n").encode(), django_capture_on_commit_callbacks)
    second = RegistryUpload.objects.order_by("-id").first()
    assert second.status == "done" and second.registry_import.created == 1 and second.registry_import.held_back == 0
    assert Resident.objects.filter(nik=a1[1]).exists()


def test_a_bad_file_says_what_is_wrong_and_only_importers_may_upload(
        tmp_path: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(personas.admin)
    post(c, "salah.csv", b"nama,alamat\nBudi,Krajan\n", django_capture_on_commit_callbacks)
    up = RegistryUpload.objects.get()
    assert up.status == "failed" and "kolom wajib" in up.error and "salah.csv" in up.error
    assert post(c, "ekstrak.pdf", b"%PDF", django_capture_on_commit_callbacks).status_code == 400
    c.force_login(personas.dinsos)
    assert c.get(reverse("population:registry-upload")).status_code == 403
    core_services.agencies_load(actor=None)
    clerk = core_services.user_create(actor=None, username="dukcapil", role="agency_staff", unit=core_services.resolve_unit("DISPENDUKCAPIL"),
                                      password="x" * 12, full_name="Petugas Dukcapil", check_password_strength=False)
    c.force_login(clerk)
    assert c.get(reverse("population:registry-upload")).status_code == 200
