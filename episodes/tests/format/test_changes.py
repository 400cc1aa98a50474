"""The change list between two versions of a file, and the three-way merge by field built on it (pure code)."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from episodes.format import changes, merge
from episodes.format import frontmatter as fm
from episodes.tests.support.factories import SEED


@pytest.fixture
def seed() -> fm.Document:
    return fm.parse(SEED.read_bytes())


def edited(doc: fm.Document, change=None, body: str | None = None) -> fm.Document:
    front = copy.deepcopy(doc.front)
    if change:
        change(front)
    return fm.Document(front=front, body=doc.body if body is None else body, closing=doc.closing)


def described(old, new) -> list[str]:
    return changes.compare(old, new).describe()


# -- the change list --------------------------------------------------------------------------------


def test_same_document_has_no_changes(seed):
    comparison = changes.compare(seed, edited(seed))
    assert not comparison and comparison.alignment == [(i, i) for i in range(len(seed.front["transcript"]))]


def test_a_speaker_change_in_words(seed):
    new = edited(seed, lambda f: f["transcript"][11].update(who="Will Russell"))
    assert described(seed, new) == ["turn 12 at 5:26: speaker Danny → Will Russell"]
    change = changes.compare(seed, new).changes[0]
    assert (change.kind, change.action, change.path) == (changes.TURN, changes.CHANGED, ("transcript", 11))


def test_a_header_moved_past_a_turn_whose_speaker_changed_reads_as_both(seed):
    def change(front):
        items = front["transcript"]
        items[2]["who"] = "Danny Leybzon"
        items[2], items[3] = items[3], items[2]  # the header before item 3 now comes before item 2

    assert described(seed, edited(seed, change)) == [
        # (Numbers are the editor's item numbers, headers counted.)
        "section 'Danny’s background' moved from before turn 5 at 3:12 to before turn 4 at 2:58",
        "turn 4 at 2:58: speaker Danny → Danny Leybzon",
    ]


def test_a_text_change_shows_the_words_that_changed(seed):
    def change(front):
        turn = front["transcript"][5]
        turn["line"] = turn["line"].replace("the long version", "the short version")
        turn["time"] = "3:25"

    said = described(seed, edited(seed, change))
    assert len(said) == 1
    assert said[0].startswith("turn 6 at 3:25: ")
    words = 'text "…I\'ll give you the long version. Because…" → "…I\'ll give you the short version. Because…"'
    assert words in said[0]
    assert "time 3:24 → 3:25" in said[0]


def test_a_change_past_the_first_60_characters_shows_the_part_that_differs():
    url = "https://www.linkedin.com/in/someone-with-a-rather-long-profile-name-1234567/"
    assert changes.window("short", "shorter") == ("short", "shorter")
    old, new = changes.window(url, url.replace("1234567", "7654321"))
    assert "1234567" in old and "7654321" in new and len(old) <= 62 and old.startswith("…")
    # One long word, the difference at its end: the window still reaches it, on both sides.
    word = "x" * 200
    assert changes.window(word + "a", word + "b") == ("…" + "x" * 20 + "a", "…" + "x" * 20 + "b")
    # A text over the width changed near its start: cut after the difference, not before it.
    old, new = changes.window("A " + "long text " * 20, "An " + "long text " * 20)
    assert old.startswith("A long") and new.startswith("An long") and old.endswith("…")
    # Only something removed at the end of a long text.
    old, new = changes.window("word " * 30 + "tail", "word " * 30)
    assert (old, new) == ("…word word word tail", "…word word word ")
    said = merge.conflict_words("title", "x" * 70 + "base", "x" * 70 + "ours", "x" * 70 + "theirs")
    assert said == f"title: the CMS has '…{'x' * 20}ours', the site has '…{'x' * 20}theirs' (was '…{'x' * 20}base')"
    link = changes.Change(changes.LINK, changes.CHANGED, where="1", parts=(("url", url, url + "?x=1"),))
    assert "?x=1" in link.describe()


def test_a_section_renamed_at_60_characters_shows_where_the_titles_differ(seed):
    # Issue 19: the real title is 60 characters long; cut at 59, its rename read
    # "'…finance reporting' renamed to '…finance reportin…'", the new side hiding what changed.
    title = "Career Journey: Systems engineering, ERP & finance reporting"

    def rename(to):
        def change(front):
            front["transcript"][3]["header"] = to

        return edited(seed, change)

    before = rename(title)
    said = described(before, rename(title + "s"))
    assert said == ["section '…& finance reporting' renamed to '…& finance reportings'"]
    assert described(before, rename(title[:-1])) == [f"section {title!r} renamed to {title[:-1]!r}"]
    longer = title.replace("reporting", "reporting and controlling")
    said = described(before, rename(longer))
    assert said == ["section '…& finance reporting' renamed to '…& finance reporting and controlling'"]


def test_a_clip_change_shows_the_clip_values_that_differ(seed):
    # Issue 19: a long list cut from its start read the same on both sides ("- name: Podcast Introduction
    # startOffset: 0 url: https:… → …") when a later clip's url changed.
    video = "https://www.youtube.com/watch?v=p1gVaS4Zx5M"
    clips = [
        {"name": "Podcast Introduction", "startOffset": 0, "url": f"{video}&t=0s"},
        {"name": "Danny’s background", "startOffset": 192, "url": f"{video}&t=192s"},
    ]

    def add_clips(front):
        front["clips"] = copy.deepcopy(clips)

    def move_clip(front):
        add_clips(front)
        front["clips"][1]["startOffset"] = 200
        front["clips"][1]["url"] = f"{video}&t=200s"

    said = described(edited(seed, add_clips), edited(seed, move_clip))
    assert len(said) == 1
    old, new = said[0].removeprefix("clips: ").split(" → ")
    assert old != new
    assert "startOffset: 192" in old and "startOffset: 200" in new

    def move_url(front):
        add_clips(front)
        front["clips"][1]["url"] = f"{video}&t=200s"

    said = described(edited(seed, add_clips), edited(seed, move_url))
    assert said == ["clips: …tch?v=p1gVaS4Zx5M&t=192s → …tch?v=p1gVaS4Zx5M&t=200s"]
    # Short values are still shown whole.
    assert changes.value_change(3, 4) == "3 → 4"
    assert changes.value_change(["a"], ["a", "b"]) == "[a] → [a, b]"


def test_turns_added_and_deleted(seed):
    def change(front):
        del front["transcript"][7]
        front["transcript"].insert(2, {"line": "A new turn.", "sec": 120, "time": "2:00", "who": "Alexey"})

    assert described(seed, edited(seed, change)) == [
        "turn 3 at 2:00 added: Alexey: 'A new turn.'",
        "turn 8 at 4:21 removed: Alexey: 'Like in Suits, right?'",
    ]


def test_sections_added_renamed_moved_and_deleted(seed):
    headers = [i for i, item in enumerate(seed.front["transcript"]) if "header" in item]

    def rename(front):
        front["transcript"][3]["header"] = "Danny’s story"

    assert described(seed, edited(seed, rename)) == ["section 'Danny’s background' renamed to 'Danny’s story'"]

    def add(front):
        front["transcript"].insert(12, {"header": "Programming"})

    assert described(seed, edited(seed, add)) == ["section 'Programming' added before turn 14 at 5:35"]

    def move(front):
        header = front["transcript"].pop(3)
        front["transcript"].insert(5, header)

    assert described(seed, edited(seed, move)) == [
        "section 'Danny’s background' moved from before turn 5 at 3:12 to before turn 7 at 3:24"
    ]

    def delete(front):
        del front["transcript"][headers[1]]

    title = seed.front["transcript"][headers[1]]["header"]
    assert described(seed, edited(seed, delete)) == [f"section {title!r} removed"]


def test_metadata_keys_nested_mappings_and_lists(seed):
    def change(front):
        front["title"] = "A new title"
        front["ids"]["youtube"] = "newvideoid0"
        front["guests"] = ["dannyleybzon", "janedoe"]
        front["description"] = "Added."
        del front["short"]

    assert described(seed, edited(seed, change)) == [
        "guests: [dannyleybzon] → [dannyleybzon, janedoe]",
        "ids.youtube: 'p1gVaS4Zx5M' → 'newvideoid0'",
        "title: 'MLOps Architect' → 'A new title'",
        "description added: 'Added.'",
        "short removed (was 'MLOps Architect')",
    ]


def test_links_added_removed_and_changed(seed):
    body = seed.body.replace(
        "[Matt Turck](https://mattturck.com/data2021/)", "[Matt Turck's list](https://mattturck.com/data2021/)"
    )
    body = body.replace('* [Whylabs\' website](https://whylabs.ai/){:target="_blank"}\n', "")
    body += '\n* [New](https://example.com/){:target="_blank"}'
    said = described(seed, edited(seed, body=body))
    assert said == [
        "link \"Matt Turck's list\": text 'Matt Turck' → \"Matt Turck's list\"",
        'link removed: "Whylabs\' website" <https://whylabs.ai/>',
        "link added: 'New' <https://example.com/>",
    ]


def test_free_body_text(seed):
    prose = "\nSome prose.\n\nMore prose.\n"
    old, new = edited(seed, body=prose), edited(seed, body=prose.replace("More", "Less") + "An end.\n")
    assert described(old, new) == ["body text changed (+2 −1 lines)"]


# -- the merge --------------------------------------------------------------------------------------


def test_adjacent_keys_changed_on_each_side_both_survive(seed):
    ours = edited(seed, lambda f: f.update(title="The CMS's title"))
    theirs = edited(seed, lambda f: f.update(short="The site's short"))
    merged = merge.merge(seed, ours, theirs)
    assert merged.conflicts == []
    assert (merged.doc.front["title"], merged.doc.front["short"]) == ("The CMS's title", "The site's short")
    assert list(merged.doc.front) == list(seed.front)


def test_the_same_field_changed_differently_is_a_conflict(seed):
    ours = edited(seed, lambda f: f.update(title="A"))
    theirs = edited(seed, lambda f: f.update(title="B"))
    merged = merge.merge(seed, ours, theirs)
    assert [c.describe() for c in merged.conflicts] == [
        f"title: the CMS has 'A', the site has 'B' (was {seed.front['title']!r})"
    ]
    assert merged.doc.front["title"] == "A"
    assert merge.merge(seed, ours, theirs, prefer=merge.THEIRS).doc.front["title"] == "B"


def test_the_same_change_on_both_sides_is_no_conflict(seed):
    ours = edited(seed, lambda f: f.update(title="Same"))
    merged = merge.merge(seed, ours, edited(seed, lambda f: f.update(title="Same")))
    assert merged.conflicts == [] and merged.doc.front["title"] == "Same"


def test_transcript_items_merge_field_by_field_and_along_insertions(seed):
    def ours_change(front):
        front["transcript"][11]["who"] = "Will Russell"
        front["transcript"].insert(3, {"header": "Intro"})

    def theirs_change(front):
        front["transcript"][11]["line"] = "Fixed words."
        del front["transcript"][20]
        front["transcript"].append({"line": "Bye.", "who": "Alexey"})

    merged = merge.merge(seed, edited(seed, ours_change), edited(seed, theirs_change))
    assert merged.conflicts == []
    items = merged.doc.front["transcript"]
    assert items[3] == {"header": "Intro"}
    assert items[12]["who"] == "Will Russell" and items[12]["line"] == "Fixed words."
    assert items[-1] == {"line": "Bye.", "who": "Alexey"}
    assert len(items) == len(seed.front["transcript"]) + 1


def test_a_turn_deleted_on_one_side_and_changed_on_the_other_is_a_conflict(seed):
    def ours_change(front):
        del front["transcript"][7]

    def theirs_change(front):
        front["transcript"][7]["line"] = "Changed on the site."

    merged = merge.merge(seed, edited(seed, ours_change), edited(seed, theirs_change))
    assert [c.where for c in merged.conflicts] == ["turn 8 at 4:21 (deleted in the CMS)"]


def test_links_and_free_text_merge_on_their_own(seed):
    ours_body = seed.body.replace("[Matt Turck]", "[Matt Turck's list]")
    theirs_body = seed.body + '\n* [New](https://example.com/){:target="_blank"}'
    merged = merge.merge(seed, edited(seed, body=ours_body), edited(seed, body=theirs_body))
    assert merged.conflicts == []
    assert "[Matt Turck's list]" in merged.doc.body and "[New](https://example.com/)" in merged.doc.body
    prose = "\nFirst line.\nSecond line.\nThird line.\n"
    merged = merge.merge(
        edited(seed, body=prose),
        edited(seed, body=prose.replace("First", "1st")),
        edited(seed, body=prose.replace("Third", "3rd")),
    )
    assert merged.conflicts == [] and merged.doc.body == "\n1st line.\nSecond line.\n3rd line.\n"
    ours, theirs = prose.replace("First", "A"), prose.replace("First", "B")
    merged = merge.merge(edited(seed, body=prose), edited(seed, body=ours), edited(seed, body=theirs))
    assert [c.where for c in merged.conflicts] == ["body text, line 2"]


def test_without_a_base_every_difference_is_a_conflict(seed):
    theirs = edited(seed, lambda f: f.update(title="Other"))
    merged = merge.merge(None, seed, theirs)
    assert [c.where for c in merged.conflicts] == ["title"]
    assert merge.merge(None, seed, edited(seed)).conflicts == []


def test_key_order_follows_the_side_that_reordered(seed):
    ours = edited(seed, lambda f: f.update(description="Added here"))
    reordered = fm.Document(front=dict(reversed(list(seed.front.items()))), body=seed.body, closing=seed.closing)
    merged = merge.merge(seed, ours, reordered)
    # The site's new order, and the CMS's new key after the one it follows in the CMS (transcript, now first).
    assert list(merged.doc.front) == ["transcript", "description", *reversed(list(seed.front)[:-1])]
    assert merge.key_order(["a", "b"], ["b", "a"], ["a", "b", "c"], {"a": 1, "b": 2, "c": 3}) == ["b", "c", "a"]


values = st.one_of(st.text(max_size=5), st.integers(-3, 3), st.none())
fronts = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), values, max_size=4)
transcripts = st.lists(
    st.fixed_dictionaries({"line": st.sampled_from(["x", "y", "z", "w"]), "who": st.sampled_from(["A", "B"])}),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(base=fronts, ours=fronts, base_items=transcripts, ours_items=transcripts)
def test_a_merge_with_one_side_unchanged_is_the_other_side(base, ours, base_items, ours_items):
    base_doc = fm.Document(front={**base, "transcript": base_items}, body="\nb\n")
    ours_doc = fm.Document(front={**ours, "transcript": ours_items}, body="\no\n")
    for merged in (merge.merge(base_doc, ours_doc, base_doc), merge.merge(base_doc, base_doc, ours_doc)):
        assert merged.conflicts == []
        assert fm.same_data(merged.doc.front, ours_doc.front) and merged.doc.body == ours_doc.body
