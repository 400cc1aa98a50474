"""PostgreSQL's notifications of committed changes, so that a process knows of them without asking on each request.

On PostgreSQL (``DATABASE_LISTEN``, on by default) each process that serves pages keeps a connection of its own
that LISTENs on :data:`CHANNEL`, in a thread of its own. The database says, when a transaction commits:

- ``s<id> <value>``: a change stamp's new value (see :mod:`episodes.change_stamps`), from the trigger that
  raises it: :func:`episodes.change_stamps.read` then answers from memory, without a query; the structure
  stamp's (who an episode's neighbours are) drops every kept episode head;
- ``e<id>,<id>,...``: these episodes' rows changed (every edit gives the episode a new version): the episode
  heads kept for their pages, and for the pages that show them as neighbours, are dropped;
- ``*``: a person, a guest, a speaker's tie or a topic changed, an episode was added or deleted, or too many
  episodes changed to name: every kept head is dropped.

Between two changes an episode's page then costs no query at all (its head: ``public.find_head``), where it
cost one that read the episode, its people and its neighbours. A page shows a change once the notification has
come: a few milliseconds after the commit, as a public page's readers see it through their caches anyway.
While the listening connection is down (a restart, an administrator's kill, its own pings not heard back),
nothing is kept and every request reads the database, as on SQLite, which has no notifications (and whose
queries cost no round trip to another process).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import connection as default_connection

logger = logging.getLogger(__name__)

CHANNEL = "episodes_changes"
EVERYTHING = "*"
# Every change stamp's value, and the structure stamp's id (episodes.change_stamps, which imports this module).
STAMPS_SQL = "SELECT id, value FROM episodes_stamp"
STRUCTURE = 1
PING = "p"  # a notification a process sends itself: p<process id>.<count>
PING_SECONDS = 5.0  # how often it does
PING_TIMEOUT = 10.0  # how long it may take to come back before the process stops trusting what it hears
RETRY_SECONDS = (0.5, 1, 2, 5, 10)  # waits between attempts to listen again, the last one repeated
WAIT_SECONDS = 1.0  # how long the thread waits for a notification before it looks whether it should stop
# Kept heads per process (an episode's page and its files each): about 10 KB each with the episode's row;
# past it the process starts again.
HEADS_MOST = 2000


class Lost(Exception):
    """The listening connection can no longer be trusted."""


class Listener:
    """A process's connection listening on :data:`CHANNEL`, what it has heard, and the heads kept under it.

    ``generation`` counts what the listener heard: a result read from the database while it stayed the same
    is kept; one read across a notification is not (the change may have committed after it was read and been
    heard before it was kept).
    """

    def __init__(self, alias: str = DEFAULT_DB_ALIAS):
        self.alias = alias
        self.lock = threading.Lock()
        self.live = False
        self.generation = 0
        self.stamps: dict[int, int] = {}
        self.heads: dict = {}  # key -> (head, the episode ids it shows)
        self.showing: dict[int, set] = {}  # episode id -> keys of the heads that show it
        self.pid: int | None = None
        self.ping_channel = CHANNEL  # where its pings go (a test sends them where they are not heard)
        self.backend_pid: int | None = None  # the server process listening, while connected
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    # -- the thread ------------------------------------------------------------------------------------------

    def start(self) -> bool:
        """Start listening in this process unless it does already or should not; return whether it is live.

        Checked by process: a server that forks its workers after the first request gives each its own.
        """
        if self.pid == os.getpid():
            return self.live
        with self.lock:
            if self.pid != os.getpid():
                self.pid, self.live, self.thread = os.getpid(), False, None
                self._forget()
                if wanted(self.alias):
                    self.stopping.clear()
                    self.thread = threading.Thread(target=self.run, name="episodes-listener", daemon=True)
                    self.thread.start()
        return self.live

    def forked(self) -> None:
        """Forget the parent's thread and what it heard, in a child process just forked."""
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.pid, self.thread, self.live, self.backend_pid = None, None, False, None
        self._forget()

    def stop(self, timeout: float = 5) -> None:
        """Stop listening (tests; a process that ends needs not)."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
        with self.lock:
            self.pid, self.thread, self.live = None, None, False
            self._forget()

    def run(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            database = connections.create_connection(self.alias)
            try:
                database.ensure_connection()
                connection = database.connection
                connection.autocommit = True
                connection.execute(f"LISTEN {CHANNEL}")
                self.backend_pid = connection.info.backend_pid
                # Read after LISTEN: a change committed in between is both read here and heard.
                stamps = dict(connection.execute(STAMPS_SQL).fetchall())
                with self.lock:
                    self._forget()
                    self.stamps, self.live = stamps, True
                attempt = 0
                self._listen(connection)
            except Exception:
                logger.warning("Not listening to the database's changes; retrying", exc_info=True)
            finally:
                with self.lock:
                    self.live = False
                    self._forget()
                with contextlib.suppress(Exception):  # a connection already gone
                    database.close()
            self.stopping.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    def _listen(self, connection) -> None:
        """Hear notifications until told to stop; raise Lost when its own pings are not heard back in time.

        A ping checks what nothing else would: a connection that died without a word, or a pooler that took the
        LISTEN to a server connection this process no longer uses (transaction pooling), where it would hear
        nothing ever again and keep pages past every change.
        """
        ping, sent, count = None, -PING_SECONDS, 0
        while not self.stopping.is_set():
            now = time.monotonic()
            if ping is None and now - sent >= PING_SECONDS:
                count += 1
                ping, sent = f"{PING}{os.getpid()}.{count}", now
                connection.execute("SELECT pg_notify(%s, %s)", [self.ping_channel, ping])
            elif ping is not None and now - sent > PING_TIMEOUT:
                raise Lost(f"its ping was not heard back in {PING_TIMEOUT} s")
            for notice in connection.notifies(timeout=WAIT_SECONDS):
                if notice.payload == ping:
                    ping = None
                elif not notice.payload.startswith(PING):  # another process's
                    self.hear(notice.payload)

    def hear(self, payload: str) -> None:
        """Take in what a notification says (see the module's docstring).

        Raise ValueError for one it cannot read: the thread then listens again, from what the database holds.
        """
        with self.lock:
            self.generation += 1
            if payload.startswith("s"):
                stamp, _, value = payload[1:].partition(" ")
                self.stamps[int(stamp)] = int(value)
                if int(stamp) == STRUCTURE:
                    # Who an episode's neighbours are may have changed: a head may now miss one it did not show.
                    self._drop_heads()
            elif payload.startswith("e"):
                for pk in [int(pk) for pk in payload[1:].split(",")]:
                    for key in self.showing.pop(pk, ()):
                        self.heads.pop(key, None)
            elif payload == EVERYTHING:
                self._drop_heads()
            else:
                raise ValueError(f"unreadable change notification {payload!r}")

    def _forget(self) -> None:
        self.stamps = {}
        self._drop_heads()
        self.generation += 1

    def _drop_heads(self) -> None:
        self.heads.clear()
        self.showing.clear()

    # -- what requests ask -----------------------------------------------------------------------------------

    def stamps_now(self, stamps: tuple[int, ...]) -> tuple[int, ...] | None:
        """Return the stamps' values as heard, or None when not listening or one was never given."""
        if not self.start():
            return None
        known = self.stamps
        values = tuple(known.get(stamp) for stamp in stamps)
        return None if None in values else values

    def head(self, key):
        """Return the head kept under ``key``, or None (always inside a transaction, whose own changes are not
        heard until it commits)."""
        if not self.start() or default_connection.in_atomic_block:
            return None
        kept = self.heads.get(key)
        return None if kept is None else kept[0]

    def mark(self) -> int | None:
        """Return what to give :meth:`keep_head` for a head read from now on; None when not listening or inside
        a transaction (nothing read there is kept)."""
        return None if not self.start() or default_connection.in_atomic_block else self.generation

    def keep_head(self, key, head, shows: tuple[int, ...], mark: int | None) -> None:
        """Keep ``head`` under ``key`` unless something was heard since ``mark`` (see the class docstring)."""
        if mark is None:
            return
        with self.lock:
            if not self.live or self.generation != mark:
                return
            if len(self.heads) >= HEADS_MOST:
                self._drop_heads()
            self.heads[key] = (head, shows)
            for pk in shows:
                self.showing.setdefault(pk, set()).add(key)


def wanted(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Return whether to listen: PostgreSQL, with ``DATABASE_LISTEN`` on."""
    return settings.DATABASE_LISTEN and connections[alias].vendor == "postgresql"


listener = Listener()
# A forked child (a server's worker) starts afresh: the parent's thread is not in it, and its lock may have
# been held by one of the parent's threads when it forked.
os.register_at_fork(after_in_child=listener.forked)


def wait_live(timeout: float = 10) -> bool:
    """Start listening and wait until it is live (tests, benchmarks); return whether it is."""
    deadline = time.monotonic() + timeout
    while not listener.start():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
