"""PostgreSQL's notifications of committed changes: a process that listens reads the stamps and the kept episode
heads from memory, and never shows a page the changes it heard no longer stand for.

The tests on PostgreSQL commit (``transaction=True``): notifications are sent when a transaction commits.
"""

import os
import time

import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from episodes import change_stamps, listening, public
from episodes.models import Episode, Stamp, TranscriptItem
from episodes.public import listing, neighbours, sitemaps, syndication
from episodes.tests.public.test_public_catalogue_kept import CHANGES, KEPT, site  # noqa: F401 - a fixture
from episodes.tests.support.factories import make_episode

ON_POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="notifications are PostgreSQL's")
EPISODE_PAGES = [f"/episodes/{slug}/{tail}" for slug in ("s1e1", "s1e2", "s2e1") for tail in ("", "transcript.vtt")]
PAGES = ["/", "/seasons/1/", "/feed.xml", "/sitemap.xml", "/people/ann/", "/people/bob/", *EPISODE_PAGES]
MORE_CHANGES = {
    **CHANGES,
    "transcript edited": lambda: (
        TranscriptItem.objects.filter(episode__slug="s1e1", kind="turn").update(text="Edited"),
        Episode.objects.filter(slug="s1e1").update(version=77),
    ),
    "episode unpublished": lambda: Episode.objects.filter(slug="s1e2").update(status=Episode.Status.DRAFT),
    "episode moved": lambda: Episode.objects.filter(slug="s2e1").update(season=1, number=3),
}


# -- what the listener does with what it hears (no database) ------------------------------------------------


def heard(*payloads) -> listening.Listener:
    """Return a listener that is live and has heard ``payloads``, with three heads kept."""
    listener = listening.Listener()
    listener.live = True
    for key, shows in {"a": (1, 2), "b": (2, 3), "c": (4,)}.items():
        listener.keep_head(key, f"head {key}", shows, listener.generation)
    for payload in payloads:
        listener.hear(payload)
    return listener


def test_an_episode_heard_changed_drops_the_heads_that_show_it():
    listener = heard("e2")
    assert set(listener.heads) == {"c"}
    assert set(heard("e4,9").heads) == {"a", "b"}
    assert heard("e1", "*").heads == {} and heard("*").showing == {}


def test_a_stamp_heard_is_its_value():
    listener = heard("s3 -42", "s2 7")
    assert listener.stamps == {3: -42, 2: 7} and set(listener.heads) == {"a", "b", "c"}
    # Who an episode's neighbours are may have changed: no head is trusted.
    assert heard(f"s{change_stamps.STRUCTURE} 7").heads == {}


def test_a_head_read_across_a_notification_is_not_kept():
    listener = heard()
    mark = listener.generation
    listener.hear("e99")  # a change committed while the head was read
    listener.keep_head("d", "head d", (5,), mark)
    assert "d" not in listener.heads
    listener.keep_head("d", "head d", (5,), listener.generation)
    assert listener.heads["d"] == ("head d", (5,))
    listener.live = False
    listener.keep_head("e", "head e", (6,), listener.generation)
    assert "e" not in listener.heads


def test_a_forked_child_starts_afresh():
    listener = heard("s3 5")
    listener.pid = os.getpid()
    listener.lock.acquire()  # as a parent's thread may hold it when the process forks
    listener.forked()
    assert (listener.pid, listener.live, listener.heads, listener.stamps) == (None, False, {}, {})
    assert listener.lock.acquire(blocking=False)


@pytest.mark.parametrize("payload", ["x", "e", "eone", "s3", "s3 many", ""])
def test_an_unreadable_notification_is_refused(payload):
    with pytest.raises(ValueError):
        heard().hear(payload)


# -- on PostgreSQL -------------------------------------------------------------------------------------------


@pytest.fixture
def listening_on(settings):
    listening.listener.stop()
    settings.DATABASE_LISTEN = True
    for kept in KEPT:
        kept.clear()
    assert listening.wait_live()
    yield listening.listener
    listening.listener.stop()
    for kept in KEPT:
        kept.clear()


def stamp_row(stamp: int) -> int | None:
    return Stamp.objects.filter(id=stamp).values_list("value", flat=True).first()


def all_heard(listener, timeout: float = 10) -> None:
    """Wait until ``listener`` has heard every change committed so far (the catalogue stamp's is the last)."""
    deadline = time.monotonic() + timeout
    while listener.stamps.get(change_stamps.CATALOGUE) != stamp_row(change_stamps.CATALOGUE):
        assert time.monotonic() < deadline, "the change was not heard"
        time.sleep(0.01)


def notices(statement) -> list[str]:
    """Return what a connection listening on the channel hears when ``statement()`` commits."""
    params = connection.get_connection_params()
    params = {key: value for key, value in params.items() if key not in ("cursor_factory", "context")}
    with psycopg.connect(**params, autocommit=True) as own:
        own.execute(f"LISTEN {listening.CHANNEL}")
        statement()
        return [n.payload for n in own.notifies(timeout=2, stop_after=2)]


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_stamp_is_heard_and_read_without_a_query(site, listening_on):  # noqa: F811
    CHANGES["title"]()
    all_heard(listening_on)
    with CaptureQueriesContext(connection) as queries:
        values = change_stamps.read(change_stamps.STRUCTURE, change_stamps.CATALOGUE)
    assert values == (stamp_row(change_stamps.STRUCTURE), stamp_row(change_stamps.CATALOGUE))
    assert len(queries) == 0


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_one_statement_names_every_episode_it_changed(site):  # noqa: F811
    ids = sorted(Episode.objects.filter(season=1).values_list("pk", flat=True))
    heard = notices(lambda: Episode.objects.filter(pk__in=ids).update(title="Same"))
    assert sorted(map(int, heard[0][1:].split(","))) == ids and heard[0].startswith("e")
    assert heard[1].startswith(f"s{change_stamps.CATALOGUE} ")
    assert notices(lambda: CHANGES["person renamed"]())[0] == listening.EVERYTHING


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_kept_episode_pages_and_files_cost_no_query(client, site, listening_on):  # noqa: F811
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
            unchanged = client.get(url, headers={"if-none-match": again["ETag"]})
        assert (again.status_code, unchanged.status_code, len(queries)) == (200, 304, 0), url


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_change_to_one_episode_leaves_the_heads_that_do_not_show_it(client, site, listening_on):  # noqa: F811
    make_episode("s3e1", season=3, episode=1, title="Alone")  # no guest in common: no page shows it
    for url in [*EPISODE_PAGES, "/episodes/s3e1/"]:
        client.get(url)
    changed = Episode.objects.get(slug="s1e2").pk
    showing = {key for key, (_, shows) in listening_on.heads.items() if changed in shows}
    # Its own page and file, s1e1's page (the next episode) and s2e1's (a guest in common): not the files.
    assert showing == {("s1e2", True), ("s1e2", False), ("s1e1", True), ("s2e1", True)}
    CHANGES["title"]()
    all_heard(listening_on)
    assert set(listening_on.heads) == {("s1e1", False), ("s2e1", False), ("s3e1", True)}


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", MORE_CHANGES)
def test_after_each_change_every_page_is_what_a_fresh_process_makes(client, settings, site, listening_on, change):  # noqa: F811
    for url in PAGES:
        client.get(url)
    MORE_CHANGES[change]()
    all_heard(listening_on)
    shown = {url: client.get(url) for url in PAGES}
    settings.DATABASE_LISTEN = False  # a process that does not listen reads everything from the database
    listening_on.stop()
    for kept in (*KEPT, neighbours._kept):
        kept.clear()
    for url, response in shown.items():
        fresh = client.get(url)
        assert (response.status_code, response.get("ETag"), response.content) == (
            fresh.status_code, fresh.get("ETag"), fresh.content
        ), (change, url)  # fmt: skip


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_an_episode_that_becomes_a_neighbour_shows_on_pages_that_did_not_show_it(client, site, listening_on):  # noqa: F811
    make_episode("s3e1", season=3, episode=1, title="Alone")  # no guest in common: no page shows it
    for url in PAGES:
        client.get(url)
    assert "Alone" not in client.get("/episodes/s1e2/").content.decode()
    Episode.objects.filter(slug="s3e1").update(season=1, number=3)  # s1e2's next episode now
    all_heard(listening_on)
    assert "Alone" in client.get("/episodes/s1e2/").content.decode()


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_reads_the_database_until_it_listens_again(client, site, listening_on):  # noqa: F811
    for url in PAGES:
        client.get(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listening_on.backend_pid])
    deadline = time.monotonic() + 10
    while listening_on.live:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert listening_on.heads == {} and change_stamps.read(change_stamps.CATALOGUE) == (
        stamp_row(change_stamps.CATALOGUE),
    )
    CHANGES["title"]()  # unheard: read from the database
    assert "Renamed" in client.get("/episodes/s1e1/").content.decode()
    assert listening.wait_live()
    client.get("/episodes/s1e1/")
    with CaptureQueriesContext(connection) as queries:
        assert "Renamed" in client.get("/episodes/s1e1/").content.decode()
    assert len(queries) == 0


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_listener_that_does_not_hear_its_own_pings_stops_trusting_what_it_hears(client, site, monkeypatch):  # noqa: F811
    # As behind a pooler that took the LISTEN to a server connection this process no longer uses.
    listening.listener.stop()
    monkeypatch.setattr(listening, "PING_SECONDS", 0.1)
    monkeypatch.setattr(listening, "PING_TIMEOUT", 0.3)
    monkeypatch.setattr(listening, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(listening, "RETRY_SECONDS", (30,))
    monkeypatch.setattr(listening.listener, "ping_channel", "nobody_listens_here")
    monkeypatch.setattr(django_settings, "DATABASE_LISTEN", True)
    try:
        assert listening.wait_live()
        deadline = time.monotonic() + 10
        while listening.listener.live:
            assert time.monotonic() < deadline, "still trusted"
            time.sleep(0.01)
        client.get("/episodes/s1e1/")
        assert listening.listener.heads == {}
    finally:
        listening.listener.stop()


def test_the_structure_stamp_is_the_listeners():
    assert listening.STRUCTURE == change_stamps.STRUCTURE


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_no_head_is_kept_or_given(client, site, listening_on):  # noqa: F811
    client.get("/episodes/s1e1/")
    kept = dict(listening_on.heads)
    assert ("s1e1", True) in kept
    with transaction.atomic():
        Episode.objects.filter(slug="s1e1").update(title="Not committed")  # heard only at commit
        head = public.find_head("s1e1", user=AnonymousUser())
        assert head.episode.title == "Not committed"
        assert public.find_head("s1e2", user=AnonymousUser()) is not None
        assert listening_on.heads == kept
        transaction.set_rollback(True)


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_draft_is_never_kept(client, admin_user, listening_on):
    make_episode("draft", title="Not yet")
    Episode.objects.filter(slug="draft").update(status=Episode.Status.DRAFT)
    client.force_login(admin_user)
    for _ in range(2):
        assert client.get("/episodes/draft/").status_code == 200
    assert listening_on.heads == {}
    client.logout()
    assert client.get("/episodes/draft/").status_code == 404


def test_what_the_listener_reads_is_the_stamps_table():
    assert listening.STAMPS_SQL.endswith(f" FROM {change_stamps.STAMP_TABLE}")
    assert (listing._kept, sitemaps._kept, syndication._kept) == KEPT
