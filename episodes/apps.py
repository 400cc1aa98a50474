from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, post_save

from . import change_stamps, search_index


def _restore_search_index(sender, using, **kwargs):
    # SQLite migrations that rebuild the transcript table drop its triggers; put them back and reindex.
    connection = connections[using]
    if connection.vendor == "sqlite" and search_index.index_installed(connection):
        search_index.install_index(connection)


def _restore_stamp_triggers(sender, using, **kwargs):
    # The same for the structure stamp's triggers (see models.stamps), once its table exists.
    connection = connections[using]
    if connection.vendor == "sqlite" and change_stamps.STAMP_TABLE in connection.introspection.table_names():
        change_stamps.install_triggers(connection)


class EpisodesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "episodes"

    def ready(self):
        post_migrate.connect(_restore_search_index, sender=self)
        post_migrate.connect(_restore_stamp_triggers, sender=self)
        post_save.connect(search_index.index_saved_item, sender=self.get_model("TranscriptItem"))
