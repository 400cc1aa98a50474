"""PostgreSQL: the transcript search reads each turn's words from a stored column with its own index, in
place of the index on the expression (see episodes.search_index). SQLite: nothing changes."""

from django.db import migrations

from episodes import search_index


def install(apps, schema_editor):
    search_index.install_index(schema_editor.connection)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {search_index.POSTGRES_INDEX}")
            cursor.execute(
                f"ALTER TABLE {search_index.ITEM_TABLE} DROP COLUMN IF EXISTS {search_index.POSTGRES_COLUMN}"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {search_index.OBSOLETE_POSTGRES_INDEX} ON {search_index.ITEM_TABLE}"
                f" USING gin (to_tsvector('{search_index.POSTGRES_CONFIG}'::regconfig, COALESCE(text, '')))"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0023_job_fix"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
