"""The site's git repository: per-file sync state, the last pull and push, redirects of renamed files."""

import django.db.models.deletion
from django.db import migrations, models


def grant(apps, schema_editor):
    """Let the "Editors" group pull from and publish to the site (the Publish page's view and change)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("episodes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = ["view_publish", "change_publish"]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="episodes", codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ('episodes', '0009_any_file_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='SiteState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('repo', models.TextField(blank=True, help_text='The working tree last pulled from.')),
                ('branch', models.CharField(blank=True, help_text='The branch checked out at the last pull.', max_length=255)),
                ('commit', models.CharField(blank=True, help_text='The commit last pulled.', max_length=64)),
                ('pulled_at', models.DateTimeField(blank=True, null=True)),
                ('pushed_branch', models.CharField(blank=True, max_length=255)),
                ('pushed_commit', models.CharField(blank=True, max_length=64)),
                ('pushed_from', models.CharField(blank=True, help_text='The pulled commit that branch grew from.', max_length=64)),
                ('pushed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'site state',
            },
        ),
        migrations.CreateModel(
            name='EpisodeRedirect',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old', models.CharField(help_text='The name it had before.', max_length=255, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('target', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='old_slugs', to='episodes.episode')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PersonRedirect',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old', models.CharField(help_text='The name it had before.', max_length=255, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('target', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='old_keys', to='episodes.person')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='SiteFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(help_text="The file's path in the repository.", max_length=1000, unique=True)),
                ('text', models.TextField(blank=True, help_text='The file as last pulled or pushed (line endings normalised).')),
                ('blob', models.CharField(blank=True, help_text="git's id of the file as last pulled or pushed.", max_length=64)),
                ('upstream_blob', models.CharField(blank=True, help_text="git's id of the file in the pulled commit.", max_length=64)),
                ('version', models.PositiveIntegerField(blank=True, help_text="The episode's version when it last held exactly this file's data.", null=True)),
                ('synced_at', models.DateTimeField(blank=True, help_text="When the CMS last held this file's data.", null=True)),
                ('problem', models.TextField(blank=True, help_text="Why the pulled version was refused ('line: what is wrong').")),
                ('conflicts', models.JSONField(blank=True, default=list, help_text='What the last pull could not merge.')),
                ('conflict_text', models.TextField(blank=True, help_text="The site's version that conflicts with the CMS.")),
                ('conflict_blob', models.CharField(blank=True, max_length=64)),
                ('episode', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='site_file', to='episodes.episode')),
                ('person', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='site_file', to='episodes.person')),
            ],
            options={
                'ordering': ['path'],
            },
        ),
        migrations.CreateModel(
            name='Publish',
            fields=[
            ],
            options={
                'verbose_name': 'publish to the site',
                'verbose_name_plural': 'publish to the site',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('episodes.sitefile',),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
