from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _restore_search_index(sender, using, **kwargs):
    # SQLite migrations that rebuild the transcript table drop its triggers; put them back and reindex.
    from django.db import connections

    from . import search_index as search

    connection = connections[using]
    if connection.vendor == "sqlite" and search.index_installed(connection):
        search.install_index(connection)


class EpisodesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "episodes"

    def ready(self):
        from . import search_index

        post_migrate.connect(_restore_search_index, sender=self)
        post_save.connect(search_index.index_saved_item, sender=self.get_model("TranscriptItem"))
