"""Load the 2022–2025 standard (complete) and the 2027–2030 standard (income lines; indicator set
provisional). The data is frozen in ``indicators/standards_data.py``."""

import datetime

from django.db import migrations

from indicators import standards_data as data


def load(apps, schema_editor):
    Standard = apps.get_model("indicators", "PovertyStandard")
    Dimension = apps.get_model("indicators", "Dimension")
    Indicator = apps.get_model("indicators", "Indicator")

    for spec, extra in ((data.STANDARD_2022, []), (data.STANDARD_2027, data.EXTRA_INDICATORS_2027)):
        fields = dict(spec)
        for key in ("effective_from", "effective_to"):
            if fields[key]:
                fields[key] = datetime.date.fromisoformat(fields[key])
        standard, _ = Standard.objects.update_or_create(code=fields.pop("code"), defaults=fields)
        dims = {}
        for order, (code, name, name_en) in enumerate(data.DIMENSIONS_2022, start=1):
            dims[code], _ = Dimension.objects.update_or_create(
                standard=standard, code=code,
                defaults={"name": name, "name_en": name_en, "order": order},
            )
        for order, (code, dim, name, name_en, definition) in enumerate(
            data.INDICATORS_2022 + extra, start=1
        ):
            Indicator.objects.update_or_create(
                dimension=dims[dim], code=code,
                defaults={"name": name, "name_en": name_en, "definition": definition,
                          "order": order},
            )


def unload(apps, schema_editor):
    apps.get_model("indicators", "PovertyStandard").objects.filter(
        code__in=[data.STANDARD_2022["code"], data.STANDARD_2027["code"]]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
