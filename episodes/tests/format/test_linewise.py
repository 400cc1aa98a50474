"""People files written back line by line: only changed fields' lines change, each in its own quoting."""

import copy
import difflib

import pytest
import yaml

from episodes.documents import exporting
from episodes.format import frontmatter as fm
from episodes.format import linewise
from episodes.models import Person
from episodes.results import CREATED, UNCHANGED
from episodes.tests.support.factories import import_text, needs_shared
from episodes.tests.support.siterepo import CORPUS

PEOPLE = sorted((CORPUS / "people").glob("*.md")) if CORPUS.is_dir() else []
TEMPLATE = '---\nshort: jane\ntitle: "Jane Doe"\npicture: "images/authors/jane.jpg"\n\n\nlinkedin: jane\n---\n\nBio.\n'


def changed(old: str, new: str) -> list[str]:
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def with_front(text: str, change) -> fm.Document:
    doc = fm.parse(text.encode("utf-8"))
    front = dict(doc.front)
    change(front)
    return fm.Document(front=front, body=doc.body, closing=doc.closing)


def test_unchanged_data_keeps_every_byte():
    assert linewise.rewrite(TEMPLATE, fm.parse(TEMPLATE)) == TEMPLATE


def test_a_changed_value_keeps_its_line_s_quoting():
    new = linewise.rewrite(TEMPLATE, with_front(TEMPLATE, lambda f: f.update(title='Jane "JD" Doe', linkedin="jd")))
    assert sorted(changed(TEMPLATE, new)) == sorted(
        ['-title: "Jane Doe"', "-linkedin: jane", '+title: "Jane \\"JD\\" Doe"', "+linkedin: jd"]
    )


def test_added_and_removed_keys_and_the_body():
    doc = with_front(TEMPLATE, lambda f: (f.pop("picture"), f.update(twitter="janedoe")))
    doc.body = "\n\nA new bio.\n"
    new = linewise.rewrite(TEMPLATE, doc)
    assert sorted(changed(TEMPLATE, new)) == sorted(
        ['-picture: "images/authors/jane.jpg"', "+twitter: janedoe", "-Bio.", "+A new bio."]
    ), changed(TEMPLATE, new)
    assert fm.same_data(fm.parse(new).front, doc.front)


def test_values_that_need_quoting_in_a_plain_line_are_quoted():
    for value in ("yes", "123", "a: b", "#hash", "", " padded "):
        new = linewise.rewrite(TEMPLATE, with_front(TEMPLATE, lambda f, v=value: f.update(linkedin=v)))
        assert fm.parse(new).front["linkedin"] == value
        assert len(changed(TEMPLATE, new)) == 2, (value, new)


def test_a_long_value_stays_on_one_line_and_a_comment_is_kept():
    text = TEMPLATE.replace("linkedin: jane", "linkedin: jane  # their handle")
    long = "x " * 80
    new = linewise.rewrite(text, with_front(text, lambda f: f.update(linkedin=long.strip(), title=long.strip())))
    assert sorted(changed(text, new)) == sorted(
        [
            '-title: "Jane Doe"',
            "-linkedin: jane  # their handle",
            f'+title: "{long.strip()}"',
            f"+linkedin: {long.strip()}  # their handle",
        ]
    )


def test_crlf_files_keep_their_line_endings():
    text = TEMPLATE.replace("\n", "\r\n")
    new = linewise.rewrite(text, with_front(text, lambda f: f.update(linkedin="jd")))
    assert new == text.replace("linkedin: jane", "linkedin: jd")


def test_what_cannot_be_edited_by_line_is_written_canonically():
    reordered = with_front(TEMPLATE, lambda f: None)
    reordered.front = dict(reversed(list(reordered.front.items())))
    assert linewise.rewrite(TEMPLATE, reordered) == reordered.render()
    broken = "---\ntitle: [unclosed\n---\n"
    doc = fm.Document(front={"title": "x"}, body="\n")
    assert linewise.rewrite(broken, doc) == doc.render()


@needs_shared
@pytest.mark.parametrize("path", PEOPLE, ids=lambda p: p.stem)
def test_every_corpus_profile_changes_only_the_changed_field_s_line(path):
    text = path.read_text(encoding="utf-8")
    doc = fm.parse(text)
    assert linewise.rewrite(text, doc) == text
    lines = text.splitlines()
    for key, value in doc.front.items():
        if not isinstance(value, str):
            continue
        new = linewise.rewrite(text, with_front(text, lambda f, k=key: f.update({k: f[k] + " (edited)"})))
        old_line = next(line for line in lines if line.startswith(f"{key}:"))
        quote = old_line[len(key) + 2 : len(key) + 3]
        diff = changed(text, new)
        assert diff[0] == f"-{old_line}" and len(diff) == 2, diff
        if quote in "\"'":
            assert diff[1].startswith(f"+{key}: {quote}")
        assert fm.parse(new).front[key] == value + " (edited)"


@needs_shared
@pytest.mark.django_db
def test_reimporting_the_cms_export_of_every_profile_is_unchanged():
    for path in PEOPLE:
        assert import_text(path.read_text(encoding="utf-8"), slug=path.stem, person=True).status == CREATED
    for person in Person.objects.all():
        result = import_text(exporting.person_text(person), slug=person.key, person=True)
        assert result.status == UNCHANGED, person.key


# Episode files: every value edited where it stands, in the file's own layout.

EPISODES = (
    sorted((CORPUS / "episodes").glob("*.md")) + sorted((CORPUS / "historic").glob("*.md")) if CORPUS.is_dir() else []
)


def _readable(paths):
    for path in paths:
        try:
            fm.parse(path.read_bytes())
        except fm.FormatError:
            continue
        yield path


def _edits(front: dict):
    """Yield (name, path of the value that may change, change) for edits an editor makes to an episode."""
    transcript = front.get("transcript") or []
    turns = [i for i, t in enumerate(transcript) if isinstance(t, dict) and ("line" in t or "text" in t)]
    headers = [i for i, t in enumerate(transcript) if isinstance(t, dict) and "header" in t]
    if "title" in front:
        yield "title", ("title",), lambda f: f.update(title=f"{f['title']} fixed")
    if turns:
        i = turns[len(turns) // 2]
        key = "line" if "line" in transcript[i] else "text"

        def one_word(f, i=i, key=key):
            words = f["transcript"][i][key].split(" ")
            words[len(words) // 2] = "fixed"
            f["transcript"][i][key] = " ".join(words)

        yield "one word of a turn", ("transcript", i, key), one_word
        if "who" in transcript[i]:
            yield "speaker", ("transcript", i, "who"), lambda f, i=i: f["transcript"][i].update(who="Somebody Else")
        yield "turn deleted", ("transcript", i), lambda f, i=i: f["transcript"].pop(i)
        new_turn = {"line": "A new turn.", "sec": 1, "time": "0:01", "who": "Alexey"}
        yield "turn inserted", ("transcript", i), lambda f, i=i: f["transcript"].insert(i, dict(new_turn))
    if headers:
        i = headers[0]
        rename = lambda f, i=i: f["transcript"][i].update(header=f"{f['transcript'][i]['header']} renamed")  # noqa: E731
        yield "header renamed", ("transcript", i, "header"), rename
    if isinstance(front.get("links"), dict) and front["links"]:
        first = next(iter(front["links"]))
        yield "link", ("links", first), lambda f, k=first: f["links"].update({k: "https://example.com/new"})
    if isinstance(front.get("guests"), list):
        yield "guest added", ("guests",), lambda f: f.update(guests=[*f["guests"], "someone"])
    yield "key added", (), lambda f: f.update(keywords_new="a new value")
    if "image" in front:
        yield "key removed", ("image",), lambda f: f.pop("image")


def _span(node, path: tuple, end: int) -> tuple[int, int]:
    """Return the lines (0-based, end excluded) from the value at ``path`` to the next value after it."""
    start = 0
    for step in path:
        children = node.value
        if isinstance(node, yaml.MappingNode):
            index = next(i for i, (key, _) in enumerate(children) if key.value == step)
            start, node = children[index][0].start_mark.line, children[index][1]
            after = children[index + 1][0].start_mark.line if index + 1 < len(children) else end
        else:
            index = step
            start, node = children[index].start_mark.line, children[index]
            after = children[index + 1].start_mark.line if index + 1 < len(children) else end
        end = after
    return start, end


def _changed_region(old: str, new: str) -> tuple[int, int, int]:
    """Return (first, end) of the old lines replaced, and how many lines replace them."""
    a, b = old.split("\n"), new.split("\n")
    first = 0
    while first < min(len(a), len(b)) and a[first] == b[first]:
        first += 1
    last = 0
    while last < min(len(a), len(b)) - first and a[-1 - last] == b[-1 - last]:
        last += 1
    return first, len(a) - last, len(b) - last - first


@needs_shared
@pytest.mark.parametrize("path", list(_readable(EPISODES)), ids=lambda p: p.stem)
def test_every_corpus_episode_changes_only_the_edited_value_s_lines(path):
    text = path.read_text(encoding="utf-8")
    doc, node = fm.parse_with_node(text)
    assert linewise.rewrite(text, doc) == text
    front_lines = doc.front_text.count("\n")
    canonical = doc.render() == text
    for name, where, change in _edits(doc.front):
        edited = fm.Document(front=copy.deepcopy(doc.front), body=doc.body, closing=doc.closing)
        change(edited.front)
        new = linewise.rewrite(text, edited)
        assert fm.same_document(fm.parse(new), edited), name
        first, end, added = _changed_region(text, new)
        if where:
            start, stop = _span(node, where, front_lines)
            # File lines: the opening '---' comes first.
            assert start + 1 <= first and end <= stop + 1, (name, first, end, start, stop)
        else:  # a key added at the end of the front matter
            assert end == first, name
        assert added <= 12, name
        if canonical:
            assert new == edited.render(), name


@needs_shared
def test_a_one_word_fix_in_a_hand_formatted_file_changes_one_value():
    text = (CORPUS / "episodes" / "crisp-dm.md").read_text(encoding="utf-8")
    doc = fm.parse(text)
    turn = doc.front["transcript"][1]
    edited = fm.Document(front=copy.deepcopy(doc.front), body=doc.body, closing=doc.closing)
    edited.front["transcript"][1]["line"] = turn["line"].replace("serverless", "server-less")
    diff = changed(text, linewise.rewrite(text, edited))
    assert diff == [
        "-- line: Next week we will have a talk about serverless machine learning with AWS.",
        "+- line: Next week we will have a talk about server-less machine learning with AWS.",
    ]


def test_a_hand_formatted_episode_keeps_its_quotes_blank_lines_and_flow_lists():
    text = (
        '---\ntitle: "A title"\nguests: [ann, bob]\n\nseason: 2\n'
        "transcript:\n- line: Hello there.\n  who: Ann\n- header: Start\n---\n\nBody.\n"
    )
    doc = fm.parse(text)
    front = copy.deepcopy(doc.front)
    front["title"] = "A title that has grown well past eighty columns, which the file keeps on one line anyway"
    front["guests"].append("cid")
    front["transcript"][1]["header"] = "The start"
    front["transcript"].append({"line": "Bye.", "who": "Bob"})
    new = linewise.rewrite(text, fm.Document(front=front, body=doc.body))
    assert new == (
        f'---\ntitle: "{front["title"]}"\nguests: [ann, bob, cid]\n\nseason: 2\n'
        "transcript:\n- line: Hello there.\n  who: Ann\n- header: The start\n- line: Bye.\n  who: Bob\n---\n\nBody.\n"
    )


def test_a_value_that_no_longer_fits_its_line_s_style_is_written_canonically_alone():
    text = '---\ntitle: "A title"\nshort: "Short"\n---\n'
    doc = fm.parse(text)
    front = dict(doc.front, title="Two\nlines")
    new = linewise.rewrite(text, fm.Document(front=front, body=doc.body))
    assert new == "---\n" + fm.dump_fragment("Two\nlines", key="title") + 'short: "Short"\n---\n'
    assert fm.parse(new).front == front


def test_a_file_written_with_ascii_escapes_keeps_them():
    text = '---\ntranscript:\n- header: "Lars\\u2019 career"\n- line: Hi.\n---\n'
    doc = fm.parse(text)
    front = copy.deepcopy(doc.front)
    front["transcript"][0]["header"] = "Lars\u2019 first career"
    new = linewise.rewrite(text, fm.Document(front=front, body=doc.body))
    assert new == '---\ntranscript:\n- header: "Lars\\u2019 first career"\n- line: Hi.\n---\n'


def test_removing_every_item_of_a_list_writes_the_key_again():
    text = "---\ntopics:\n- a\n- b\nseason: 1\n---\n"
    doc = fm.parse(text)
    new = linewise.rewrite(text, fm.Document(front=dict(doc.front, topics=[]), body=doc.body))
    assert new == "---\ntopics: []\nseason: 1\n---\n"


def test_a_written_file_that_would_read_differently_is_written_canonically(monkeypatch):
    text = '---\ntitle: "A title"\nshort: "Short"\n---\n'
    doc = fm.parse(text)
    edited = fm.Document(front=dict(doc.front, title="New"), body=doc.body)
    # A writer gone wrong: the line it gives reads as another value.
    monkeypatch.setattr(linewise._Writer, "pair", lambda self, key, *args: f"{key}: Not what was asked\n")
    assert linewise.rewrite(text, edited) == edited.render()


def test_a_file_in_plain_ascii_writes_new_characters_as_they_are():
    text = "---\ntitle: Cafe\ntranscript:\n- line: Hi.\n---\n"
    doc = fm.parse(text)
    front = copy.deepcopy(doc.front)
    front["title"], front["transcript"][0]["line"] = "Café", "Hi — there."
    edited = fm.Document(front=front, body=doc.body)
    expected = "---\ntitle: Café\ntranscript:\n- line: Hi — there.\n---\n"
    assert linewise.rewrite(text, edited) == edited.render() == expected
