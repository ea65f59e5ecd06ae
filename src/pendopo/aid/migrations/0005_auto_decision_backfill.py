from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    # Proposals made before review existed: what they hold is what screening decided.
    apps.get_model("aid", "Proposal").objects.filter(auto_decision="").update(auto_decision=F("decision"))


class Migration(migrations.Migration):
    dependencies = [("aid", "0004_intake_review_appeals")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
