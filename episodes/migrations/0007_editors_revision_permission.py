"""Let the "Editors" group see revisions (and revert, which is an edit of the episode)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("episodes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="episodes", codename="view_revision"))


class Migration(migrations.Migration):
    dependencies = [("episodes", "0006_revisions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
