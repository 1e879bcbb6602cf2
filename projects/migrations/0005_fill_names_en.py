"""Fill the English names of the programmes, projects and sub-projects already in the database
(projects/english_names.py), where none was typed."""

from django.db import migrations


def fill(apps, schema_editor):
    from projects.english_names import english_name

    for kind, model in (("programme", "Programme"), ("project", "Project"), ("subproject", "SubProject")):
        Model = apps.get_model("projects", model)
        for row in Model.objects.filter(name_en=""):
            found = english_name(kind, row.name)
            if found:
                Model.objects.filter(pk=row.pk).update(name_en=found)


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_names_en_plan_confirmation")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
