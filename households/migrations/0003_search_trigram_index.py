"""On PostgreSQL, a trigram index on the folded search text, so that a search over a district or a
province ("%nguyen van%" in 200,000 households) reads the index instead of every row.

SQLite has no such index and keeps scanning, which is fine at the size of a commune. pg_trgm is a
trusted extension (PostgreSQL 13+): the database owner may create it without being a superuser.
"""

from django.db import migrations

INDEX = "households_household_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON households_household "
        "USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("households", "0002_history_search_overrides")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
