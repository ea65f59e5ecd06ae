"""The default scheme catalogue and overlap matrix of DOMAIN.md (Dinas Sosial edits them)."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from pendopo.aid.rules import DEFAULT_RULES, DEFAULT_SCHEMES

    Scheme = apps.get_model("aid", "Scheme")
    OverlapRule = apps.get_model("aid", "OverlapRule")
    by_code = {}
    for s in DEFAULT_SCHEMES:
        by_code[s.code], _ = Scheme.objects.get_or_create(
            code=s.code, defaults={"name": s.name, "unit": s.unit, "level": s.level, "max_per_family": s.max_per_family})
    for r in DEFAULT_RULES:
        OverlapRule.objects.get_or_create(proposed=by_code[r.proposed], held=by_code[r.held], unit=r.unit, component=r.component)


class Migration(migrations.Migration):
    dependencies = [("aid", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
