"""The funding sources a commune's plan names (domain.md §4). Data, editable in the admin."""

from django.db import migrations

SOURCES = [
    ("NSTW", "Ngân sách trung ương", "NSTW", True, 1),
    ("NSDP", "Ngân sách địa phương", "NSĐP", True, 2),
    ("LONG_GHEP", "Vốn lồng ghép từ các chương trình, dự án khác", "Lồng ghép", False, 3),
    ("TIN_DUNG", "Vốn tín dụng chính sách", "Tín dụng CS", False, 4),
    ("HUY_DONG", "Vốn huy động và nguồn hợp pháp khác", "Huy động, khác", False, 5),
]


def load(apps, schema_editor):
    FundingSource = apps.get_model("budget", "FundingSource")
    for code, name, short, state, order in SOURCES:
        FundingSource.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "is_state_budget": state, "order": order},
        )


def unload(apps, schema_editor):
    apps.get_model("budget", "FundingSource").objects.filter(
        code__in=[s[0] for s in SOURCES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("budget", "0002_initial")]

    operations = [migrations.RunPython(load, unload)]
