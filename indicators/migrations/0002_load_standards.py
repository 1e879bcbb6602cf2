"""Load the 2022–2025 standard (complete) and the 2027–2030 standard (income lines; indicator set
provisional). The data is frozen in ``indicators/standards_data.py``."""

from django.db import migrations

from indicators import standards_data as data


def load(apps, schema_editor):
    data.load(apps)


def unload(apps, schema_editor):
    apps.get_model("indicators", "PovertyStandard").objects.filter(
        code__in=[data.STANDARD_2022["code"], data.STANDARD_2027["code"]]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
