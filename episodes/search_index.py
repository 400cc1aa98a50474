"""The transcript search index: an FTS5 table on SQLite, a stored ``tsvector`` column with a GIN index on
PostgreSQL.

On SQLite, triggers keep the index in step with every update and delete of a transcript item. New items
are indexed by the import's bulk insert (:func:`index_episodes`) and, for items saved one by one through
the ORM, by a ``post_save`` handler (:func:`index_saved_item`), rather than by a trigger: a trigger runs
once per row, three times as costly as one ``INSERT ... SELECT`` over an imported episode's new rows.
Migration 0004 installs the index; :func:`install_index` also runs after every ``migrate``, because SQLite
migrations that rebuild the transcript table drop its triggers. PostgreSQL maintains its column and index
by itself.

On PostgreSQL the words of each turn are a generated column (``text_vector``) that the ORM never names, not
an index on the expression: ranking reads the stored words instead of computing them again for every
candidate (a common word's 500 candidates cost 60 ms that way, most of a busy server's time on searches),
and an update that moves items (their positions) copies the words instead of computing them for the index.
A migration that changes the type of ``text`` must drop the column first (:func:`remove_index`) and put it
back after (:func:`install_index`): PostgreSQL refuses to alter a column a generated one is made from.
"""

from __future__ import annotations

from django.db import DatabaseError, connections, transaction
from django.db import connection as default_connection

FTS_TABLE = "episodes_transcriptitem_fts"
ITEM_TABLE = "episodes_transcriptitem"
POSTGRES_CONFIG = "english"
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON {ITEM_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text);
        END""",  # noqa: S608 - names are constants
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF id, text ON {ITEM_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text);
        END""",  # noqa: S608 - names are constants
}
OBSOLETE_TRIGGERS = [f"{FTS_TABLE}_insert"]
SQLITE_TABLE = f"""
    CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        text, content='{ITEM_TABLE}', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
    )"""
POSTGRES_COLUMN = "text_vector"
POSTGRES_INDEX = "episodes_transcriptitem_text_vector"
# The expression index of earlier versions, which the column's index replaces.
OBSOLETE_POSTGRES_INDEX = "episodes_transcriptitem_text_search"
# lz4 (PostgreSQL 14 and later, when built with it) reads a long turn's words back about three times faster
# than the default pglz: a common word's search reads hundreds of them. A server without it keeps pglz.
POSTGRES_COLUMN_SQL = f"""ALTER TABLE {ITEM_TABLE} ADD COLUMN IF NOT EXISTS {POSTGRES_COLUMN} tsvector{{compression}}
    GENERATED ALWAYS AS (to_tsvector('{POSTGRES_CONFIG}'::regconfig, COALESCE(text, ''))) STORED"""
POSTGRES_SQL = [
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON {ITEM_TABLE} USING gin ({POSTGRES_COLUMN})",
    f"DROP INDEX IF EXISTS {OBSOLETE_POSTGRES_INDEX}",
]


def install_index(connection) -> bool:
    """Create the search index where it is missing; return whether anything was created.

    On SQLite a missing trigger means rows may have changed unseen, so the index is rebuilt from the table.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{FTS_TABLE}%"])
            if {name for (name,) in cursor.fetchall()} == set(SQLITE_TRIGGERS):
                return False
            cursor.execute(SQLITE_TABLE)
            for name in OBSOLETE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
            return True
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s", [ITEM_TABLE, POSTGRES_INDEX]
            )
            if cursor.fetchone() is not None:
                return False
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(POSTGRES_COLUMN_SQL.format(compression=" COMPRESSION lz4"))
            except DatabaseError:
                cursor.execute(POSTGRES_COLUMN_SQL.format(compression=""))
            for sql in POSTGRES_SQL:
                cursor.execute(sql)
            return True
    return False


def remove_index(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in [*SQLITE_TRIGGERS, *OBSOLETE_TRIGGERS]:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")
            cursor.execute(f"ALTER TABLE {ITEM_TABLE} DROP COLUMN IF EXISTS {POSTGRES_COLUMN}")


def index_installed(connection) -> bool:
    """Tell whether SQLite has the index table, i.e. the migration that brings it has run."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
        return cursor.fetchone() is not None


def _sqlite_index(connection) -> bool:
    return connection.vendor == "sqlite" and index_installed(connection)


def index_episodes(episode_ids: list[int], *, connection=default_connection) -> None:
    """Index every item of episodes whose items were all just inserted (and are not indexed yet)."""
    if episode_ids and _sqlite_index(connection):
        marks = ", ".join(["%s"] * len(episode_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT id, text FROM {ITEM_TABLE} WHERE episode_id IN ({marks})",  # noqa: S608
                episode_ids,
            )


def index_items(ids: list[int], *, connection=default_connection) -> None:
    """Index items just inserted one by one."""
    if ids and _sqlite_index(connection):
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT id, text FROM {ITEM_TABLE} WHERE id IN ({marks})",  # noqa: S608
                ids,
            )


def index_saved_item(sender, instance, created, raw=False, using="default", **kwargs):
    """Index a transcript item the ORM has just inserted (connected to post_save in EpisodesConfig)."""
    if created and not raw:
        index_items([instance.pk], connection=connections[using])
