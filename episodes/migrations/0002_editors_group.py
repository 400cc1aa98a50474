"""Create the "Editors" group: podcast content only, not users, groups or settings."""

from django.db import migrations

CONTENT_MODELS = ("episode", "person", "episodeguest", "platformref", "bodylink", "transcriptitem", "speaker")


def create_editors(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; make sure they exist for a fresh database.
    app_config = apps.get_app_config("episodes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    perms = Permission.objects.filter(content_type__app_label="episodes", content_type__model__in=CONTENT_MODELS)
    group.permissions.add(*perms)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
