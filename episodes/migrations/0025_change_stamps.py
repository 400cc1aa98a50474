"""The change stamps: counts of committed changes to what related episodes are made of and to what a transcript
search finds, raised by triggers (see episodes.change_stamps); the public pages keep results while they hold.
And the hosts' index: every episode page reads them."""

import secrets

from django.db import migrations, models

from episodes import change_stamps


def install(apps, schema_editor):
    Stamp = apps.get_model("episodes", "Stamp")
    # Random, as every raise (see change_stamps): equal values must mean the same state, whatever the database.
    values = [Stamp(id=row, value=secrets.randbits(62)) for row in (change_stamps.STRUCTURE, change_stamps.TEXT)]
    Stamp.objects.bulk_create(values)
    change_stamps.install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    change_stamps.remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0024_search_words_column"),
    ]

    operations = [
        migrations.CreateModel(
            name="Stamp",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, remove, elidable=False),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(condition=models.Q(("is_host", True)), fields=["key"], name="person_hosts"),
        ),
    ]
