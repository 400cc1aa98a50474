"""Let the "Editors" group review the language model's suggestions (the queue at /admin/episodes/suggestion/)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("episodes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = ["view_suggestion", "change_suggestion"]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="episodes", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("episodes", "0020_topics")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
