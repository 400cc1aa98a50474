"""Topic keys as 64-bit numbers (compared without a collation), and list orders PostgreSQL can read from an index.

PostgreSQL sorts nulls first in a descending index, so the lists' ``season DESC NULLS LAST`` order could not
use the indexes of 0011 there and every list (and the related episodes' newest ones) sorted the whole table;
SQLite cannot write NULLS LAST in an index, and its descending indexes already put nulls last.
"""

import importlib

from django.db import migrations, models

fill_topics = importlib.import_module("episodes.migrations.0012_episode_topics").fill_topics

NULLS_LAST_INDEXES = {
    "episode_public_order_pg": "status, season DESC NULLS LAST, number DESC NULLS LAST, slug",
    "episode_list_order_pg": "season DESC NULLS LAST, number DESC NULLS LAST, slug",
}


def empty_topics(apps, schema_editor):
    apps.get_model("episodes", "EpisodeTopic").objects.all().delete()


def add_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in NULLS_LAST_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON episodes_episode ({columns})")


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NULLS_LAST_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0018_suggestions"),
    ]

    operations = [
        migrations.RunPython(empty_topics, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="episodetopic",
            name="key",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.RunPython(fill_topics, empty_topics, elidable=True),
        migrations.RunPython(add_postgres_indexes, drop_postgres_indexes),
    ]
