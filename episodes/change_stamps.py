"""Counts of committed changes, each raised by database triggers whenever what some kept result depends on
changes, so no write path can miss one (imports, the editor, merges, the admin, the shell, raw SQL):

- ``STRUCTURE``: an episode's status, season, number or slug, its guests, its topics; an episode added or
  deleted. Who an episode's related episodes are depends on nothing else (see :mod:`episodes.public.neighbours`).
- ``TEXT``: a transcript item's text, kind or episode; an item added or deleted. With ``STRUCTURE`` (which
  episodes are published), what a transcript search finds depends on nothing else (see :mod:`episodes.search`).
- ``CATALOGUE``: any change to an episode's row, its guests, its speakers' ties to people or a person's row (an
  edit of any kind gives the episode a new version). The lists of episodes and people's pages, the feed's and
  the sitemap's heads are made of nothing else (see :mod:`episodes.public.listing`); an editor's save raises
  it, so they are kept between saves.

A process keeps such results under the stamps read before they were computed, and uses them while the stamps
read with a request are the same: a title saved or a person's profile changed leave the first two alone, as
they change what a result shows, which is read again on every request, not which rows it is made of.

A raise gives a stamp a new random value (63 bits on SQLite, 52 on PostgreSQL), not the next number: only
equality is ever asked, and a count would start again where a flush or a restored backup took the database
back, giving an old number to a different state (a test that flushed between two searches found this).

PostgreSQL raises a stamp when the transaction commits, once a transaction: the triggers note that it is to be
raised in a row of the transaction's own (no writer waits for another there), and a deferred constraint trigger
on that row raises it at commit. Writers thus wait for each other on a stamp's row only while they commit,
never in the middle of their work, where a transaction holding it and waiting for an episode another holds
would deadlock. SQLite has one writer at a time: an ordinary trigger raises it at once.
"""

from __future__ import annotations

from django.db import connection as default_connection

from . import listening

# The tables by name, as search_index does: this module is installed from the app's post_migrate handler,
# which runs where the models cannot be imported (a test checks the names against the models').
STAMP_TABLE = "episodes_stamp"
PENDING_TABLE = "episodes_stamp_pending"  # PostgreSQL: the stamps a transaction raises when it commits
STRUCTURE, TEXT, CATALOGUE = 1, 2, 3  # the stamps' rows
# A stamp as a query reads it (None when its row is missing: after a flush, until the next change): the
# structure stamp within an episode's query (the neighbours), any by its id (read).
STRUCTURE_SQL = f"(SELECT value FROM {STAMP_TABLE} WHERE id = {STRUCTURE})"  # noqa: S608 - constants only
_STAMP_SQL = f"(SELECT value FROM {STAMP_TABLE} WHERE id = %s)"  # noqa: S608 - a constant; the id a parameter
_EPISODES, _GUESTS, _TOPICS = "episodes_episode", "episodes_episodeguest", "episodes_episodetopic"
_PEOPLE, _SPEAKERS = "episodes_person", "episodes_speaker"
_CATALOGUE = (_EPISODES, _GUESTS, _SPEAKERS, _PEOPLE)  # the tables the catalogue stamp stands for
_ITEMS = "episodes_transcriptitem"
_SHAPE = ("status", "season", "number", "slug")  # an episode's columns its related episodes depend on
_WORDS = ("text", "kind", "episode_id")  # an item's columns a search depends on


def _changed(columns: tuple[str, ...], differ: str = "IS DISTINCT FROM") -> str:
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


_POSTGRES_FUNCTIONS = [
    # A statement's rows (its transition table): a statement that changed none raises nothing.
    """
CREATE OR REPLACE FUNCTION episodes_stamp_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO {pending} (xact, stamp) VALUES (pg_current_xact_id()::text::bigint, TG_ARGV[0]::smallint)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$
""",
    # A row whose trigger's condition said it changed.
    """
CREATE OR REPLACE FUNCTION episodes_stamp_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {pending} (xact, stamp) VALUES (pg_current_xact_id()::text::bigint, TG_ARGV[0]::smallint)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
""",
    # At commit, once for each stamp the transaction noted.
    """
CREATE OR REPLACE FUNCTION episodes_stamp_raise() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    raised bigint := (random() * 9e18)::bigint;
BEGIN
    INSERT INTO {stamps} (id, value) VALUES (NEW.stamp, raised)
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    DELETE FROM {pending} WHERE xact = NEW.xact AND stamp = NEW.stamp;
    PERFORM pg_notify('{channel}', 's' || NEW.stamp || ' ' || raised);
    RETURN NULL;
END $$
""",
    # Which episodes' rows a statement changed, named when they are few (a notification holds 8,000 bytes).
    """
CREATE OR REPLACE FUNCTION episodes_notify_episodes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    IF (SELECT count(*) FROM (SELECT 1 FROM changed LIMIT {named}) AS few) >= {named} THEN
        PERFORM pg_notify('{channel}', '{everything}');
    ELSE
        SELECT string_agg(id::text, ',') INTO ids FROM changed;
        IF ids IS NOT NULL THEN
            PERFORM pg_notify('{channel}', 'e' || ids);
        END IF;
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION episodes_notify_everything() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        PERFORM pg_notify('{channel}', '{everything}');
    END IF;
    RETURN NULL;
END $$
""",
]
_FUNCTIONS = ("episodes_stamp_rows", "episodes_stamp_row", "episodes_stamp_raise")
_NOTICE_FUNCTIONS = ("episodes_notify_episodes", "episodes_notify_everything")
NAMED_MOST = 500  # episodes a notification names; more are "everything"
# What a listening process is told at commit (see episodes.listening): (trigger, table, event, function).
_POSTGRES_NOTICES = [
    (
        f"{_EPISODES}_update_notify",
        _EPISODES,
        f"UPDATE ON {_EPISODES} REFERENCING NEW TABLE AS changed",
        _NOTICE_FUNCTIONS[0],
    ),
    *(
        (
            f"{table}_{event.lower()}_notify",
            table,
            f"{event} ON {table} REFERENCING {rows} TABLE AS changed",
            _NOTICE_FUNCTIONS[1],
        )
        for table in (*_CATALOGUE, _TOPICS)
        for event, rows in [("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")]
        if not (table == _EPISODES and event == "UPDATE")
    ),
]
# (trigger, table, event and level, stamp)
_POSTGRES_TRIGGERS = [
    *(
        (f"{table}_{event.lower()}_{name}", table, f"{event} ON {table} REFERENCING {rows} TABLE AS changed", stamp)
        for table, name, stamp in [
            (_EPISODES, "structure", STRUCTURE),
            (_GUESTS, "structure", STRUCTURE),
            (_TOPICS, "structure", STRUCTURE),
            (_ITEMS, "text", TEXT),
        ]
        for event, rows in [("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")]
        if not (event == "UPDATE" and table in (_EPISODES, _ITEMS))  # theirs depend on the columns changed
    ),
    *(
        (
            f"{table}_{event.lower()}_catalogue",
            table,
            f"{event} ON {table} REFERENCING {rows} TABLE AS changed",
            CATALOGUE,
        )
        for table in _CATALOGUE
        for event, rows in [("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")]
    ),
    (f"{_EPISODES}_update_structure", _EPISODES, f"UPDATE ON {_EPISODES}", STRUCTURE),
    (f"{_ITEMS}_update_text", _ITEMS, f"UPDATE ON {_ITEMS}", TEXT),
]
_POSTGRES_CONDITIONS = {
    f"{_EPISODES}_update_structure": _changed(_SHAPE),
    f"{_ITEMS}_update_text": _changed(_WORDS),
}
_SQLITE_TRIGGERS = [
    *(
        (f"{table}_{event.lower()}_{name}", f"AFTER {event} ON {table}", stamp)
        for table, name, stamp in [
            (_EPISODES, "structure", STRUCTURE),
            (_GUESTS, "structure", STRUCTURE),
            (_TOPICS, "structure", STRUCTURE),
            (_ITEMS, "text", TEXT),
        ]
        for event in ("INSERT", "DELETE", "UPDATE")
        if not (event == "UPDATE" and table in (_EPISODES, _ITEMS))
    ),
    *(
        (f"{table}_{event.lower()}_catalogue", f"AFTER {event} ON {table}", CATALOGUE)
        for table in _CATALOGUE
        for event in ("INSERT", "DELETE", "UPDATE")
    ),
    (
        f"{_EPISODES}_update_structure",
        f"AFTER UPDATE OF {', '.join(_SHAPE)} ON {_EPISODES} WHEN {_changed(_SHAPE, 'IS NOT')}",
        STRUCTURE,
    ),
    (
        f"{_ITEMS}_update_text",
        f"AFTER UPDATE OF {', '.join(_WORDS)} ON {_ITEMS} WHEN {_changed(_WORDS, 'IS NOT')}",
        TEXT,
    ),
]
_SQLITE_RAISE = (
    "INSERT INTO {stamps} (id, value) VALUES ({stamp}, random()) ON CONFLICT (id) DO UPDATE SET value = excluded.value;"
)


def install_triggers(connection) -> None:
    """Create (again) the triggers that raise the stamps; nothing on other databases.

    SQLite migrations that rebuild a table drop its triggers: this runs after every migrate there.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE}"
                " (xact bigint NOT NULL, stamp smallint NOT NULL, PRIMARY KEY (xact, stamp))"
            )
            for function in _POSTGRES_FUNCTIONS:
                cursor.execute(
                    function.format(
                        pending=PENDING_TABLE,
                        stamps=STAMP_TABLE,
                        channel=listening.CHANNEL,
                        everything=listening.EVERYTHING,
                        named=NAMED_MOST,
                    )
                )
            cursor.execute(f"DROP TRIGGER IF EXISTS {PENDING_TABLE}_raise ON {PENDING_TABLE}")
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {PENDING_TABLE}_raise AFTER INSERT ON {PENDING_TABLE}"
                " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION episodes_stamp_raise()"
            )
            for name, table, event, stamp in _POSTGRES_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                condition = _POSTGRES_CONDITIONS.get(name)
                if condition:
                    how = f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION episodes_stamp_row({stamp})"
                else:
                    how = f"FOR EACH STATEMENT EXECUTE FUNCTION episodes_stamp_rows({stamp})"
                cursor.execute(f"CREATE TRIGGER {name} AFTER {event} {how}")
            for name, table, event, function in _POSTGRES_NOTICES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"CREATE TRIGGER {name} AFTER {event} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        elif connection.vendor == "sqlite":
            for name, when, stamp in _SQLITE_TRIGGERS:
                raise_stamp = _SQLITE_RAISE.format(stamps=STAMP_TABLE, stamp=stamp)
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {raise_stamp} END")


def remove_triggers(connection, stamps: tuple[int, ...] | None = None) -> None:
    """Drop the triggers that raise ``stamps`` (all of them, and their functions, for None)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table, _, stamp in _POSTGRES_TRIGGERS:
                if stamps is None or stamp in stamps:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            if stamps is None:
                for name, table, _, _ in _POSTGRES_NOTICES:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
                for function in (*_FUNCTIONS, *_NOTICE_FUNCTIONS):
                    cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        elif connection.vendor == "sqlite":
            for name, _, stamp in _SQLITE_TRIGGERS:
                if stamps is None or stamp in stamps:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def read(*stamps: int) -> tuple[int, ...] | None:
    """Return the values of ``stamps`` as they are now (one query; none while this process listens to the
    database's notifications, see :mod:`episodes.listening`); None inside a transaction (its own changes may not
    be counted yet: PostgreSQL raises them at commit) or when a stamp's row is missing (after a flush)."""
    if default_connection.in_atomic_block:
        return None
    heard = listening.listener.stamps_now(stamps)
    if heard is not None:
        return heard
    columns = ", ".join([_STAMP_SQL] * len(stamps))
    with default_connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", stamps)
        values = cursor.fetchone()
    return None if None in values else tuple(values)


class Kept:
    """Results a process keeps, each under the stamps read before it was computed, and given back only while
    the stamps read now are the same. Past ``most`` entries it starts again.

    Nothing is kept or given back inside a transaction: its own changes may not be counted yet (PostgreSQL
    raises the stamps at commit).
    """

    def __init__(self, most: int):
        self.most = most
        self.entries: dict = {}

    def peek(self, key):
        """Return what is kept under ``key`` whatever its stamps (to read what it needs with them), or None."""
        entry = self.entries.get(key)
        return None if entry is None else entry[1]

    def get(self, key, stamps):
        entry = self.entries.get(key)
        if entry is None or stamps is None or default_connection.in_atomic_block or entry[0] != stamps:
            return None
        return entry[1]

    def make(self, key, stamps, make):
        """Return what is kept under ``key`` for ``stamps``, else what ``make()`` returns, kept for them."""
        value = self.get(key, stamps)
        if value is None:
            value = make()
            self.put(key, stamps, value)
        return value

    def put(self, key, stamps, value) -> None:
        if stamps is None or default_connection.in_atomic_block:
            return
        if len(self.entries) >= self.most:
            self.entries.clear()
        self.entries[key] = (stamps, value)

    def clear(self) -> None:
        self.entries.clear()
