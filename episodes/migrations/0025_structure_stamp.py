"""The structure stamp: a count of committed changes to what the related episodes are made of, raised by
triggers (see episodes.structure_stamp); the public pages keep each episode's related episodes while it holds."""

from django.db import migrations, models

from episodes import structure_stamp


def install(apps, schema_editor):
    apps.get_model("episodes", "Stamp").objects.create(id=structure_stamp.STRUCTURE, value=1)
    structure_stamp.install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    structure_stamp.remove_triggers(schema_editor.connection)


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
                ("xact", models.BigIntegerField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]
