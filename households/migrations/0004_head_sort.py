"""The head's name as text the database orders in Vietnamese order (core.collation), filled for
the households already stored. It calls the helper of today's code: the column's whole point is
to equal what the services compute, and a later change of the order refills it in its own
migration."""

from django.db import migrations, models

from core.chunks import chunks
from core.collation import SORT_TEXT_LENGTH, vietnamese_sort_text


def fill(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    for part in chunks(ids):
        households = list(Household.objects.filter(pk__in=part).only("pk", "head_name"))
        for household in households:
            household.head_sort = vietnamese_sort_text(household.head_name)
        Household.objects.bulk_update(households, ["head_sort"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("households", "0003_search_trigram_index")]

    operations = [
        migrations.AddField(
            model_name="household",
            name="head_sort",
            field=models.CharField(default="", editable=False, max_length=SORT_TEXT_LENGTH),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
