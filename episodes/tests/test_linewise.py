"""People files written back line by line: only changed fields' lines change, each in its own quoting."""

import difflib

import pytest

from episodes import exporting, importing, linewise
from episodes import frontmatter as fm
from episodes.models import Person
from episodes.tests.factories import import_text, needs_shared
from episodes.tests.siterepo import CORPUS

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
        assert import_text(path.read_text(encoding="utf-8"), slug=path.stem, person=True).status == importing.CREATED
    for person in Person.objects.all():
        result = import_text(exporting.person_text(person), slug=person.key, person=True)
        assert result.status == importing.UNCHANGED, person.key
