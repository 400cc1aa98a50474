"""Keep each episode's number of transcript items in a column, and index the orders lists read episodes in."""

from django.db import migrations, models
from django.db.models.functions import Coalesce


def count_items(apps, schema_editor):
    Episode = apps.get_model("episodes", "Episode")
    TranscriptItem = apps.get_model("episodes", "TranscriptItem")
    counts = (
        TranscriptItem.objects.filter(episode=models.OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    Episode.objects.update(item_count=Coalesce(models.Subquery(counts), 0))


class Migration(migrations.Migration):

    dependencies = [
        ("episodes", "0010_site_sync"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="item_count",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Section headers and turns in the transcript.",
                verbose_name="items",
            ),
        ),
        migrations.RunPython(count_items, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["status", "-season", "-number", "slug"], name="episode_public_order"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["-season", "-number", "slug"], name="episode_list_order"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["season"], name="episode_season"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["title"], name="episode_title"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["item_count"], name="episode_item_count"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["edited_at"], name="episode_edited_at"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["warning_count"], name="episode_warning_count"),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["status"], name="episode_status"),
        ),
    ]
