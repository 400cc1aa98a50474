"""Full-text search over transcript items: an FTS5 table and triggers on SQLite, a GIN index on PostgreSQL.

The SQL lives in episodes.search_index; other databases get nothing.
"""

from django.db import migrations


def install(apps, schema_editor):
    from episodes import search_index as search

    search.install_index(schema_editor.connection)


def remove(apps, schema_editor):
    from episodes import search_index as search

    search.remove_index(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("episodes", "0003_warning_count"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
