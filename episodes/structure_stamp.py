"""What each episode's related episodes are made of, counted: a number that every committed change to an
episode's status, season, number or slug, to its guests or to its topics raises.

Database triggers raise it, so no write path can miss it (imports, the editor, merges, the shell, raw SQL).
The public pages keep each episode's related episodes for as long as it stays the same (see
:mod:`episodes.public.neighbours`): a title saved, a transcript edited or a person's profile changed leave
it alone, as they change what a neighbour shows, which is read again on every request, not who the
neighbours are.

PostgreSQL raises it when the transaction commits (a deferred constraint trigger), once per transaction, so
writers wait for each other on its row only while they commit, never in the middle of their work (where a
transaction holding it and waiting for an episode another holds would deadlock). SQLite has one writer at a
time: an ordinary trigger raises it at once.
"""

from __future__ import annotations

# The tables by name, as search_index does: this module is installed from the app's post_migrate handler,
# which runs where the models cannot be imported (a test checks the names against the models').
STAMP_TABLE = "episodes_stamp"
STRUCTURE = 1  # the stamp's row
# The stamp as a query reads it (None when its row is missing: after a flush, until the next change).
STAMP_SQL = f"(SELECT value FROM {STAMP_TABLE} WHERE id = {STRUCTURE})"  # noqa: S608 - constants only
_EPISODES, _GUESTS, _TOPICS = "episodes_episode", "episodes_episodeguest", "episodes_episodetopic"
_SHAPE = ("status", "season", "number", "slug")  # an episode's columns the related episodes depend on
_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _SHAPE)

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION episodes_structure_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current_xact bigint := pg_current_xact_id()::text::bigint;
BEGIN
    INSERT INTO {table} AS s (id, value, xact) VALUES ({row}, 1, current_xact)
    ON CONFLICT (id) DO UPDATE SET value = s.value + 1, xact = EXCLUDED.xact
    WHERE s.xact IS DISTINCT FROM EXCLUDED.xact;
    RETURN NULL;
END $$
"""
# (trigger, table, events, condition)
_POSTGRES_TRIGGERS = [
    ("episodes_episode_rows_structure", _EPISODES, "INSERT OR DELETE", ""),
    ("episodes_episode_fields_structure", _EPISODES, "UPDATE", _CHANGED),
    ("episodes_episodeguest_structure", _GUESTS, "INSERT OR UPDATE OR DELETE", ""),
    ("episodes_episodetopic_structure", _TOPICS, "INSERT OR UPDATE OR DELETE", ""),
]
_SQLITE_RAISE = (
    f"INSERT INTO {STAMP_TABLE} (id, value) VALUES ({STRUCTURE}, 1)"  # noqa: S608 - constants only
    " ON CONFLICT (id) DO UPDATE SET value = value + 1;"
)
_SQLITE_TRIGGERS = [
    ("episodes_episode_insert_structure", f"AFTER INSERT ON {_EPISODES}"),
    ("episodes_episode_delete_structure", f"AFTER DELETE ON {_EPISODES}"),
    (
        "episodes_episode_update_structure",
        f"AFTER UPDATE OF {', '.join(_SHAPE)} ON {_EPISODES} WHEN {_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')}",
    ),
    *(
        (f"{table}_{event.lower()}_structure", f"AFTER {event} ON {table}")
        for table in (_GUESTS, _TOPICS)
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]


def install_triggers(connection) -> None:
    """Create (again) the triggers that raise the structure stamp; as is on other databases.

    SQLite migrations that rebuild a table drop its triggers: this runs after every migrate there.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION.format(table=STAMP_TABLE, row=STRUCTURE))
            for name, table, events, condition in _POSTGRES_TRIGGERS:
                when = f" WHEN ({condition})" if condition else ""
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {name} AFTER {events} ON {table}"
                    f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{when} EXECUTE FUNCTION episodes_structure_changed()"
                )
        elif connection.vendor == "sqlite":
            for name, when in _SQLITE_TRIGGERS:
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {_SQLITE_RAISE} END")


def remove_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table, _, _ in _POSTGRES_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS episodes_structure_changed()")
        elif connection.vendor == "sqlite":
            for name, _ in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
