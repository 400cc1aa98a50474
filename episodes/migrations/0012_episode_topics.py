"""Keep each episode's topics as indexed rows, so that related episodes are found without reading front matter."""

import django.db.models.deletion
from django.db import migrations, models

from episodes.format import frontmatter as fm
from episodes.format.topics import topic_keys


def fill_topics(apps, schema_editor):
    Episode = apps.get_model("episodes", "Episode")
    EpisodeTopic = apps.get_model("episodes", "EpisodeTopic")
    rows = []
    for pk, extra in Episode.objects.exclude(extra="").values_list("pk", "extra").iterator(chunk_size=500):
        data = fm.load(extra)
        keys = topic_keys(data) if isinstance(data, dict) else []
        rows += [EpisodeTopic(episode_id=pk, key=key, position=i) for i, key in enumerate(keys)]
        if len(rows) >= 1000:
            EpisodeTopic.objects.bulk_create(rows)
            rows = []
    EpisodeTopic.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0011_item_count"),
    ]

    operations = [
        migrations.CreateModel(
            name="EpisodeTopic",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(editable=False, max_length=32)),
                ("position", models.IntegerField(editable=False)),
                (
                    "episode",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="topic_rows",
                        to="episodes.episode",
                    ),
                ),
            ],
            options={
                "ordering": ["position"],
                "indexes": [models.Index(fields=["key", "episode"], name="episode_topic_key")],
                "constraints": [models.UniqueConstraint(fields=("episode", "key"), name="unique_episode_topic")],
            },
        ),
        migrations.RunPython(fill_topics, migrations.RunPython.noop, elidable=True),
    ]
