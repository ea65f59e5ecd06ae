from django.db import migrations


def backfill(apps, schema_editor):
    # Residents loaded before name keys existed; in chunks, so a regency's registry fits in memory.
    from pendopo.linkage.names import normalise_name

    Resident = apps.get_model("population", "Resident")
    Token = apps.get_model("population", "ResidentNameToken")
    last = 0
    while True:
        chunk = list(Resident.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name")[:20000])
        if not chunk:
            break
        rows = []
        for pk, name in chunk:
            seen = []
            for key in normalise_name(name).phonetic:
                if key and key[:40] not in seen:
                    seen.append(key[:40])
            rows += [Token(resident_id=pk, token=t) for t in seen]
        Token.objects.bulk_create(rows, batch_size=5000)
        last = chunk[-1][0]


class Migration(migrations.Migration):
    dependencies = [("population", "0005_name_tokens")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
