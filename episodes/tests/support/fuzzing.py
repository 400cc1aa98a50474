"""Fuzzing the importer: mutations of real episode files, and what every import of one must satisfy.

Used by the bounded fuzz in test_fuzz_import.py and the long one in bench/fuzz.py. A case is a base file
(the seed, and the shared corpus where it exists), whether an episode with that slug exists already, and
a few mutations: bit flips, insertions of YAML syntax and awkward bytes, truncation, and lines deleted,
duplicated or inserted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef, TranscriptItem
from episodes.results import IMPORT_STATUSES, REFUSED, FileResult
from episodes.services import importing
from episodes.tests.support.factories import SEED, SHARED

SLUG = "fuzzed-episode"


def bounded(examples: int):
    """Hypothesis settings of a fuzz in the test suite: derandomized, so CI sees the same examples every time."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


COUNTED = (Episode, TranscriptItem, BodyLink, PlatformRef, EpisodeGuest, Person)

# YAML syntax, indicators and bytes that parsers and our own checks treat specially.
TOKENS = [
    b": ",
    b"- ",
    b"? ",
    b"&a ",
    b"*a",
    b"&a",
    b"!!python/object:os.system ",
    b"!!python/name:os.system",
    b"!!binary ",
    b"!!omap ",
    b"!!set ",
    b"!!str ",
    b"!!int ",
    b"!!float ",
    b"!!timestamp ",
    b"!local ",
    b"<<: ",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"'",
    b'"',
    b"\\",
    b"|",
    b">-",
    b"#",
    b"%YAML 1.1\n",
    b"@",
    b"`",
    b"\t",
    b" ",
    b"\n",
    b"\r",
    b"\r\n",
    b"---",
    b"\n---\n",
    b"...\n",
    b"\x00",
    b"\x07",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",  # an encoded surrogate: invalid UTF-8
    b"\xef\xbb\xbf",  # a byte-order mark
    "\u2028".encode(),  # YAML counts these three as line breaks; Python's str.count("\n") does not
    "\u0085".encode(),
    "\u2029".encode(),
    "\ufffd".encode(),
    "’".encode(),
    b"~",
    b"null",
    b"true",
    b".nan",
    b".inf",
    b"-0.0",
    b"0x1F",
    b"0o17",
    b"1_000",
    b"99999999999999999999",
    b"2024-05-01",
    b"2023-02-30",
    b"2024-05-01 10:00:00+02:00",
    b"1:56",
    b"'1:56'",
    b"sec",
    b"time",
    b"who",
    b"line",
    b"header",
    b"guests",
    b"title",
    b"season",
    b"transcript",
    b"Links:\n\n",
    b'* [x](y){:target="_blank"}\n',
]

# Whole lines to insert, so that new keys, list items and collections appear where YAML expects them.
LINES = [
    b"title: other",
    b"title: &a anchored",
    b"short: *a",
    b"season: ten",
    b"season: 2",
    b"episode: 1.5",
    b"guests: [a, b]",
    b"guests:\n- Not A Key!",
    b"ids: {youtube: 1}",
    b"links:\n  youtube: [x]",
    b"transcript: []",
    b"transcript: {}",
    b"- line: added",
    b"- header: Added",
    b"- sec: soon",
    b"- time: 1:56",
    b"  sec: 99999999999",
    b"  who: null",
    b"  extra: {a: [1, 2]}",
    b"- just a string",
    b"- [1, 2]",
    b"- {1: int key}",
    b"1: int key",
    b"true: bool key",
    b"1.0: float key",
    b"null: null key",
    b".nan: nan key",
    b"2024-05-01: date key",
    b"? [a, b]\n: complex key",
    b"? {a: b}\n: complex key",
    b"<<: {title: merged}",
    b"when: 2024-05-01 10:00:00+02:00",
    b"omap: !!omap [{a: 1}, {b: 2}]",
    b"pairs: !!pairs [{a: 1}, {a: 2}]",
    b"set: !!set {a, b}",
    b"raw: !!binary aGVsbG8=",
    b'nul: "a\\0b"',
    b'"nul\\0key": 1',
    b'esc: "\\ud800"',
    b'esc: "\\x85 \\u2028"',
    b"folded: >\n  text\n\n  more",
    b"  - nested",
    b"---",
    b"--- ",
    b"---\t",
    b"...",
    b"",
]


def base_files() -> list[bytes]:
    """Return the seed file and, where the shared corpus is present, its episode files (refused ones too)."""
    files = [SEED.read_bytes()]
    corpus = SHARED / "corpus"
    if corpus.is_dir():
        files += [
            path.read_bytes()
            for folder in ("episodes", "historic", "broken")
            for path in sorted(corpus.glob(f"{folder}/*.md"))
        ]
    return files


BASES = base_files()

_position = st.integers(min_value=0, max_value=2**20)
mutations = st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(min_value=0, max_value=7)),
    st.tuples(st.just("insert"), _position, st.sampled_from(TOKENS)),
    st.tuples(st.just("truncate"), _position),
    st.tuples(st.just("duplicate line"), _position),
    st.tuples(st.just("delete line"), _position),
    st.tuples(st.just("insert line"), _position, st.sampled_from(LINES), st.integers(min_value=0, max_value=4)),
)


@dataclass(frozen=True)
class Case:
    base: int
    existing: bool
    mutations: tuple

    def raw(self) -> bytes:
        return mutate(BASES[self.base], self.mutations)


cases = st.builds(
    Case,
    base=st.integers(min_value=0, max_value=len(BASES) - 1),
    existing=st.booleans(),
    mutations=st.lists(mutations, min_size=1, max_size=4).map(tuple),
)


def mutate(raw: bytes, steps) -> bytes:
    """Apply each mutation in turn; positions wrap around the current length."""
    for step in steps:
        kind, position = step[0], step[1]
        if kind == "flip":
            if raw:
                i = position % len(raw)
                raw = raw[:i] + bytes([raw[i] ^ (1 << step[2])]) + raw[i + 1 :]
        elif kind == "insert":
            i = position % (len(raw) + 1)
            raw = raw[:i] + step[2] + raw[i:]
        elif kind == "truncate":
            raw = raw[: position % (len(raw) + 1)]
        else:
            lines = raw.split(b"\n")
            i = position % len(lines)
            if kind == "duplicate line":
                lines.insert(i, lines[i])
            elif kind == "delete line":
                del lines[i]
            else:
                lines.insert(i, b" " * step[3] + step[2])
            raw = b"\n".join(lines)
    return raw


def row_counts() -> dict:
    return {model.__name__: model.objects.count() for model in COUNTED}


def import_bytes(raw: bytes, slug: str = SLUG) -> FileResult:
    source = importing.Source(f"{slug}.md", f"{slug}.md", len(raw), lambda: raw)
    return importing.import_source(source)


def check_case(case: Case, stats: Counter | None = None) -> FileResult:
    """Import ``case`` in a savepoint rolled back afterwards; assert what must hold whatever the file."""
    with transaction.atomic():
        try:
            return check(case.raw(), existing=BASES[case.base] if case.existing else None, stats=stats)
        finally:
            transaction.set_rollback(True)


def check(raw: bytes, *, existing: bytes | None = None, stats: Counter | None = None) -> FileResult:
    """Import ``raw`` (over an episode imported from ``existing`` first, if given) and check the result."""
    before_text = None
    if existing is not None and import_bytes(existing).status != REFUSED:
        before_text = database.export_text(Episode.objects.get(slug=SLUG))
    counts = row_counts()

    result = import_bytes(raw)  # must not raise

    assert result.status in IMPORT_STATUSES, result
    if stats is not None:
        stats[result.status] += 1
    if result.status == REFUSED:
        assert result.message, result
        assert 1 <= result.line <= raw.count(b"\n") + 1, result
        assert row_counts() == counts, result
        if before_text is not None:
            assert database.export_text(Episode.objects.get(slug=SLUG)) == before_text, result
        return result
    read = fm.parse(raw)
    exported = database.episode_document(Episode.objects.get(slug=SLUG))
    assert fm.same_data(exported.front, read.front), result
    assert (exported.body, exported.closing) == (read.body, read.closing), result
    again = fm.parse(exported.render())
    assert fm.same_data(again.front, read.front), result
    assert again.body == read.body, result
    return result
