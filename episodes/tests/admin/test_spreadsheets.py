"""django-import-export: people keyed by their key, and the transcript turns round trip."""

import io

import pytest
import tablib
from django.urls import reverse

from episodes.models import Episode, Person, TranscriptItem
from episodes.resources import PersonResource, TranscriptItemResource
from episodes.tests.support.factories import export, make_person

pytestmark = pytest.mark.django_db


def transcript_sheet(episode) -> tablib.Dataset:
    return TranscriptItemResource().export(queryset=episode.items.all())


def test_transcript_export_has_the_documented_columns(seed_episode):
    sheet = transcript_sheet(seed_episode)
    assert sheet.headers == ["episode", "position", "kind", "who", "sec", "time", "text"]
    assert sheet[0][:6] == ("s10e03-mlops-architect", "0", "turn", "Alexey", "116", "1:56")
    assert sheet[3][2] == "header"


def test_fix_speakers_in_a_spreadsheet_and_import_back(seed_episode, seed_text):
    sheet = transcript_sheet(seed_episode)
    csv = sheet.export("csv").replace(",Danny,", ",Danny Leybzon,")
    data = tablib.Dataset().load(csv, format="csv")
    dry = TranscriptItemResource().import_data(data, dry_run=True)
    assert not dry.has_errors() and not dry.has_validation_errors()
    assert not seed_episode.items.filter(who="Danny Leybzon").exists()
    result = TranscriptItemResource().import_data(data, dry_run=False)
    assert not result.has_errors()
    assert seed_episode.items.filter(who="Danny Leybzon").count() == 89
    episode = Episode.objects.get(pk=seed_episode.pk)
    assert episode.version == 2  # one edit for the whole sheet
    changed = [(a, b) for a, b in zip(seed_text.splitlines(), export(episode).splitlines(), strict=True) if a != b]
    assert changed and all(b == "  who: Danny Leybzon" for _, b in changed)


def test_rows_that_match_no_item_are_refused_and_listed(seed_episode):
    data = tablib.Dataset(headers=["episode", "position", "kind", "who", "sec", "time", "text"])
    data.append(["s10e03-mlops-architect", 0, "turn", "Alexey G", 116, "1:56", "This week"])
    data.append(["s10e03-mlops-architect", 9999, "turn", "Ghost", "", "", "Nobody said this"])
    data.append(["s10e03-mlops-architect", 1, "turn", "Alexey", 116, "soon", "Bad time"])
    result = TranscriptItemResource().import_data(data, dry_run=True)
    assert result.has_validation_errors()
    errors = {row.number: str(row.error_dict) for row in result.invalid_rows}
    assert "No transcript item at position 9999" in errors[2]
    assert "'soon' is not a time" in errors[3]
    assert not seed_episode.items.filter(who="Alexey G").exists()


def test_transcript_import_through_the_admin(admin_client, seed_episode):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = transcript_sheet(seed_episode).export("csv").replace(",Alexey,", ",Alexey Grigorev,")
    url = reverse("admin:episodes_transcriptitem_import")
    upload = SimpleUploadedFile("turns.csv", csv.encode(), content_type="text/csv")
    response = admin_client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    confirm = response.context["confirm_form"].initial
    response = admin_client.post(reverse("admin:episodes_transcriptitem_process_import"), confirm)
    assert response.status_code == 302
    assert seed_episode.items.filter(who="Alexey Grigorev").count() == 66


def test_people_import_keyed_by_key_with_dry_run():
    make_person("janedoe", "Jane")
    data = tablib.Dataset(headers=["key", "name", "web", "is_host"])
    data.append(["janedoe", "Jane Doe", "https://jane.example/", 0])
    data.append(["newperson", "New Person", "", 1])
    dry = PersonResource().import_data(data, dry_run=True)
    assert [row.import_type for row in dry.rows] == ["update", "new"]
    assert Person.objects.count() == 1
    result = PersonResource().import_data(data, dry_run=False)
    assert not result.has_errors()
    assert Person.objects.get(key="janedoe").name == "Jane Doe"
    new = Person.objects.get(key="newperson")
    assert new.is_host and new.has_profile


def test_people_export_columns():
    make_person("janedoe", "Jane Doe")
    sheet = PersonResource().export()
    assert sheet.headers[:2] == ["key", "name"] and sheet[0][:2] == ("janedoe", "Jane Doe")


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "'quoted", "plain"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_cells_never_become_formulas_and_come_back_as_they_were(seed_episode, fmt):
    turns = list(seed_episode.items.filter(kind="turn").order_by("position")[: len(FORMULAS)])
    for turn, text in zip(turns, FORMULAS, strict=True):
        TranscriptItem.objects.filter(pk=turn.pk).update(text=text, who=text)
    sheet = transcript_sheet(seed_episode)
    cells = {cell for row in sheet for cell in row if isinstance(cell, str)}
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    content = sheet.export(fmt)
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content))
        assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
    data = tablib.Dataset().load(content, format=fmt)
    result = TranscriptItemResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    texts = dict(seed_episode.items.filter(pk__in=[t.pk for t in turns]).values_list("text", "who"))
    assert texts == {text: text for text in FORMULAS}


def test_people_export_escapes_formulas_and_imports_back():
    make_person("=cmd", "@SUM(1)")
    sheet = PersonResource().export()
    assert sheet[0][:2] == ("'=cmd", "'@SUM(1)")
    data = tablib.Dataset().load(sheet.export("csv"), format="csv")
    assert not PersonResource().import_data(data, dry_run=False).has_errors()
    assert Person.objects.get().name == "@SUM(1)"
