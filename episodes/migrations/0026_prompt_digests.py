"""Each episode's transcript digest for the suggestion prompts. None is made here: an episode's is made when
its transcript is next written, or when a batch first reads it (a missing digest is a stale one)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0025_change_stamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="PromptDigest",
            fields=[
                (
                    "episode",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="episodes.episode",
                    ),
                ),
                ("version", models.PositiveIntegerField(help_text="The episode's version it was made from.")),
                ("text", models.TextField(blank=True, help_text="The turns' lines, as the prompts give them.")),
                ("data", models.TextField(help_text="The rest of the digest, as JSON.")),
            ],
        ),
    ]
