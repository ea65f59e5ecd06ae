"""Regions of the regency, its government units, agencies and clusters are present after
``pendopo migrate`` (the screening contract relies on it). Idempotent."""

import csv
import io
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
CLUSTERS = [
    ("KLASTER-KESEHATAN", "Klaster Kesehatan", "health"),
    ("KLASTER-PENDIDIKAN", "Klaster Pendidikan", "education"),
    ("KLASTER-EKONOMI", "Klaster Ekonomi", "economy"),
    ("KLASTER-SOSIAL", "Klaster Sosial", "social"),
    ("KLASTER-INFRASTRUKTUR", "Klaster Infrastruktur", "infrastructure"),
    ("KLASTER-TATA-KELOLA", "Klaster Tata Kelola Pemerintahan", "governance"),
]


def load(apps, schema_editor):
    from pendopo.core.regions import parse_regions

    Region = apps.get_model("core", "Region")
    Unit = apps.get_model("core", "Unit")
    Cluster = apps.get_model("core", "Cluster")
    rows = parse_regions((DATA / "wilayah_banyuwangi.csv").read_bytes(), "wilayah_banyuwangi.csv")
    existing = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create(
        [Region(code=r.code, name=r.name, level=r.level, kind=r.kind, parent_id=r.parent_code) for r in rows if r.code not in existing]
    )
    units = {u.code: u for u in Unit.objects.all()}
    for r in rows:
        if r.level == "province" or r.code in units:
            continue
        if r.level == "regency":
            kind, name = "regency", f"Pemerintah {r.name}"
        elif r.level == "district":
            kind, name = "kecamatan", f"Kecamatan {r.name}"
        else:
            prefix = {"kelurahan": "Kelurahan", "desa_adat": "Desa Adat"}.get(r.kind, "Desa")
            kind, name = "village", f"Pemerintah {prefix} {r.name}"
        units[r.code] = Unit.objects.create(code=r.code, name=name, kind=kind, region_id=r.code, parent=units.get(r.parent_code or ""))
    regency = units.get("35.10")
    agencies = list(csv.DictReader(io.StringIO((DATA / "opd_banyuwangi.csv").read_text(encoding="utf-8"))))
    for a in agencies:
        if a["code"] in units:
            continue
        parent = units.get(a["parent_code"]) if a["parent_code"] else regency
        units[a["code"]] = Unit.objects.create(
            code=a["code"], name=a["name"], short_name=a["short_name"], kind=a["kind"], parent=parent,
            region_id=a["region_code"] or None,
        )
    for code, name, theme in CLUSTERS:
        cluster, _ = Cluster.objects.get_or_create(code=code, defaults={"name": name, "theme": theme})
        members = [units[a["code"]] for a in agencies if code in a["clusters"].split(";")]
        cluster.members.add(*members)
        if cluster.coordinator_id is None and members:
            cluster.coordinator = members[0]
            cluster.save(update_fields=["coordinator"])


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
