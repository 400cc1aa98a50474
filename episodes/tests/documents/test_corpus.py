"""The round trip over every real file in ../shared/corpus (skipped where the corpus is absent)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.models import Episode, Person
from episodes.results import CREATED, REFUSED
from episodes.tests.support.factories import SHARED, import_text, needs_shared
from episodes.tests.support.pages import form_fields

pytestmark = [pytest.mark.django_db, needs_shared]

CORPUS = SHARED / "corpus"


def corpus_files(*folders):
    if not CORPUS.is_dir():
        return []
    return sorted(p for folder in folders for p in (CORPUS / folder).glob("*.md"))


def slug_of(path):
    return "f-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in path.stem)


def reference(text):
    """What the file holds, read independently of the importer: (front, body, canonical) or None if invalid."""
    try:
        doc = fm.parse(text)
        fm.validate_episode(doc)
    except fm.FormatError:
        return None
    return doc.front, doc.body, doc.front_text == fm.dump(doc.front)


@pytest.mark.parametrize("path", corpus_files("episodes", "historic"), ids=lambda p: p.name)
def test_valid_files_round_trip(path):
    text = path.read_text(encoding="utf-8")
    expected = reference(text)
    result = import_text(text, slug=slug_of(path))
    if expected is None:
        assert result.status == REFUSED and result.line >= 1
        assert not Episode.objects.exists()
        return
    assert result.status == CREATED, result
    exported = database.export_text(Episode.objects.get())
    doc = fm.parse(exported)
    front, body, canonical = expected
    assert fm.dump(doc.front) == fm.dump(front)
    assert doc.body == body
    assert doc.front_text == fm.dump(doc.front)
    if canonical:
        assert exported == text


@pytest.mark.parametrize("path", corpus_files("broken"), ids=lambda p: p.name)
def test_broken_files_are_refused_with_a_line(path):
    result = import_text(path.read_bytes(), slug=slug_of(path))
    assert result.status == REFUSED
    assert result.line > 1 and result.message.startswith("YAML error")
    assert not Episode.objects.exists() and not Person.objects.exists()


def test_template_and_stray_character_files_are_refused():
    for name, line in (("_template.md", 4), ("_theme-park-crowd-modeling-to-tesla-full-stack-data-engineering.md", 1)):
        result = import_text((CORPUS / "episodes" / name).read_bytes(), slug=slug_of(CORPUS / name))
        assert (result.status, result.line) == (REFUSED, line), result


@pytest.mark.parametrize("path", corpus_files("people"), ids=lambda p: p.name)
def test_people_round_trip(path):
    text = path.read_text(encoding="utf-8")
    result = import_text(text, slug=path.stem, person=True)
    assert result.status == CREATED, result
    doc = database.person_document(Person.objects.get(key=path.stem))
    original = fm.parse(text)
    assert fm.dump(doc.front) == fm.dump(original.front)
    assert doc.body == original.body


def test_people_saved_unchanged_in_the_admin_export_as_the_same_data(admin_client):
    # A biography's leading blank lines once vanished on save, fusing the body with the closing '---'.
    paths = corpus_files("people")
    for path in paths:
        assert import_text(path.read_text(encoding="utf-8"), slug=path.stem, person=True).status == CREATED
    for path in paths:
        person = Person.objects.get(key=path.stem)
        url = reverse("admin:episodes_person_change", args=[person.pk])
        data = form_fields(admin_client.get(url).content.decode(), "person_form")
        assert admin_client.post(url, data).status_code == 302, path.name
        exported = database.person_document(Person.objects.get(pk=person.pk)).render()
        again, original = fm.parse(exported), fm.parse(path.read_text(encoding="utf-8"))
        assert fm.dump(again.front) == fm.dump(original.front), path.name
        assert again.body == original.body, path.name


def test_roundtrip_check_tool_passes():
    tool = SHARED / "tools" / "roundtrip-check"
    folders = [SHARED / "seed", CORPUS / "episodes", CORPUS / "historic", CORPUS / "broken"]
    project = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [
            sys.executable,
            str(tool),
            "--project",
            str(project),
            "--python",
            sys.executable,
            "--people",
            str(CORPUS / "people"),
        ]
        + [str(f) for f in folders],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.stdout.strip().splitlines()[-1].startswith("roundtrip: ok"), done.stdout + done.stderr


@pytest.mark.parametrize("path", corpus_files("episodes", "historic", "people", "broken"), ids=lambda p: p.name)
def test_loader_matches_csafeloader_on_real_files(path):
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        front_text = fm.split(text)[0]
        expected = yaml.load(front_text, Loader=yaml.CSafeLoader)  # noqa: S506
    except (fm.FormatError, yaml.YAMLError):
        return
    got = fm.load(front_text)
    assert got == expected and fm.dump(got) == fm.dump(expected)


@pytest.mark.parametrize("path", corpus_files("episodes", "historic", "people"), ids=lambda p: p.name)
def test_dumper_matches_csafedumper_on_real_files(path):
    import yaml

    try:
        data = fm.parse(path.read_bytes()).front
    except fm.FormatError:
        return
    expected = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    assert fm.dump(data) == expected
