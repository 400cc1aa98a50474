"""Jobs: long work run by a worker; the "Editors" group may see them and cancel them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("episodes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = ["view_job", "change_job"]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="episodes", codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ('episodes', '0014_site_pushed_and_demo'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Job',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('pull', 'Pull from the site'), ('push', 'Publish to the site'), ('import', 'Import uploaded files')], max_length=20)),
                ('arguments', models.JSONField(blank=True, default=dict, help_text='What it was asked to do.')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('interrupted', 'Interrupted'), ('cancelled', 'Cancelled')], default='queued', max_length=20)),
                ('done', models.PositiveIntegerField(default=0, help_text='Files done so far.')),
                ('total', models.PositiveIntegerField(blank=True, help_text='Files to do, once known.', null=True)),
                ('current', models.CharField(blank=True, help_text='The file being worked on.', max_length=1000)),
                ('message', models.TextField(blank=True, help_text='Where it stands, or how it ended.')),
                ('report', models.JSONField(blank=True, default=list, help_text='One line per file, as the command prints them.')),
                ('error', models.TextField(blank=True, help_text='Why it failed.')),
                ('cancel_requested', models.BooleanField(default=False)),
                ('lock', models.CharField(blank=True, max_length=1100)),
                ('task_id', models.CharField(blank=True, help_text="The task framework's id of its run.", max_length=64)),
                ('worker', models.CharField(blank=True, help_text='host:pid of the worker running it.', max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('beat_at', models.DateTimeField(blank=True, help_text='When the worker last wrote its progress.', null=True)),
                ('user', models.ForeignKey(blank=True, help_text='Who started it.', null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'running']), models.Q(('lock', ''), _negated=True)), fields=('lock',), name='one_active_job_per_lock')],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
