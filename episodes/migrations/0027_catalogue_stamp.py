"""The catalogue stamp: raised by any change to an episode's row, its guests, its speakers' ties or a person (see
episodes.change_stamps); the lists of episodes, people's pages, the feed's and the sitemap's heads are kept while
it holds."""

import secrets

from django.db import migrations

from episodes import change_stamps


def install(apps, schema_editor):
    Stamp = apps.get_model("episodes", "Stamp")
    # Random, as every raise (see change_stamps): equal values must mean the same state, whatever the database.
    Stamp.objects.update_or_create(id=change_stamps.CATALOGUE, defaults={"value": secrets.randbits(62)})
    change_stamps.install_triggers(schema_editor.connection)  # all of them again, the catalogue's among them


def remove(apps, schema_editor):
    change_stamps.remove_triggers(schema_editor.connection, stamps=(change_stamps.CATALOGUE,))
    apps.get_model("episodes", "Stamp").objects.filter(id=change_stamps.CATALOGUE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0026_prompt_digests"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
