"""import_transcript: a thin command over transcript_import; every bad input refused as FILE:LINE, nothing kept."""

import io
import zipfile

import pytest

from episodes.models import Episode, Revision
from episodes.tests.commands.test_commands import run
from episodes.tests.support import transcripts
from episodes.tests.support.factories import make_episode
from episodes.tests.support.transcripts import TALK

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    (tmp_path / "talk.txt").write_text(transcripts.plain_text(TALK), encoding="utf-8")
    (tmp_path / "talk.docx").write_bytes(transcripts.docx_bytes(TALK))
    (tmp_path / "talk.vtt").write_text(transcripts.webvtt(TALK), encoding="utf-8")
    (tmp_path / "chapters.txt").write_text("00:00:00 Opening\n00:01:10 Career\n", encoding="utf-8")
    return tmp_path


def test_import_a_new_episode_with_chapters(files):
    status, out, err = run(
        "import_transcript", "new-talk", str(files / "talk.vtt"), "--chapters", str(files / "chapters.txt")
    )
    assert status == 0, err
    assert f"{files / 'talk.vtt'}: duration set to PT01H02M03S (the last turn's time)" in out
    assert "speaker Jane: 2 turns (unknown: matches no guest or host)" in out
    assert "warning: item 2: speaker 'Alexey' matches no guest or host" in out
    assert out.endswith("new-talk: created draft from vtt (5 turns, 2 sections, 2 clips)\n")
    episode = Episode.objects.get()
    assert episode.title == "talk" and episode.status == Episode.Status.DRAFT


def test_dry_run_title_and_replace(files):
    status, out, _ = run("import_transcript", "new-talk", str(files / "talk.txt"), "--dry-run", "--title", "T")
    assert status == 0 and out.endswith(
        "Dry run, nothing saved: new-talk: created draft from text (5 turns, 2 sections, 2 clips)\n"
    )
    assert not Episode.objects.exists()
    make_episode(slug="ep")
    status, _, err = run("import_transcript", "ep", str(files / "talk.docx"))
    assert status == 1 and "ep already has a transcript (6 items): replace it explicitly (--replace)" in err
    status, out, _ = run("import_transcript", "ep", str(files / "talk.docx"), "--replace", "-v", "0")
    assert status == 0 and out == "ep: updated from docx (5 turns, 2 sections, 2 clips)\n"


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 6_000_000)
    return out.getvalue()


def _lying_docx() -> bytes:
    with zipfile.ZipFile(io.BytesIO(transcripts.docx_bytes(TALK))) as archive:
        xml = archive.read("word/document.xml")
    parts = transcripts.docx_with_document(xml + b" " * 20_000_000)
    return transcripts.lying_zip(parts, lie={"word/document.xml": len(xml) - 10})


BAD = {
    "notes.txt": (b"Just a note.\nNo times here.\n", 1, "not a transcript in a known format"),
    "empty.txt": (b"", 1, "the document has no turns"),
    "no-speaker.txt": (b"0:01\nA\nHi.\n\n0:09\n\n0:30\nA\nOk.\n", 6, "the time 0:09 on line 5 has no speaker line"),
    "not-a-zip.docx": (b"0:01\nA\nHi.\n", 1, "not a Word .docx: a .docx is a zip archive, and this file is not one"),
    "bomb.docx": (_zip_bomb(), 1, "refused as a zip bomb"),
    # Hostile or broken text: a traceback, or kept as raw YAML and left out of the public files, before.
    "utf16.txt": (b"\xff\xfe" + "0:01\nA\nHi.\n".encode("utf-16-le") + b"\x00\xdc", 4, "not valid UTF-16"),
    "nul.txt": (b"0:01\nA\nHi\x00.\n", 3, "the character U+0000 at column 3 is not allowed in text"),
    "hours.vtt": (
        b"WEBVTT\n\n99999999999999999999:00:01.000 --> 99999999999999999999:00:02.000\n<v A>Hi\n",
        3,
        "the time 99999999999999999999:00:01.000 is past 99:59:59",
    ),
    "lying.docx": (_lying_docx(), 1, "not a readable Word document"),
    "long.txt": (b"0:01\nA\nHi.\n" * 6, 10, "more than 3 turns: too many for one transcript"),
}


@pytest.mark.parametrize("name", BAD)
def test_every_bad_input_is_refused_clearly_and_changes_nothing(tmp_path, settings, name):
    settings.EPISODES_MAX_FILE_BYTES = 1_000_000
    settings.EPISODES_MAX_TRANSCRIPT_TURNS = 3
    data, line, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    episode = make_episode(slug="ep", transcript=[])
    before = (Episode.objects.get().version, Revision.objects.count())
    for slug in ("ep", "new-one"):
        status, out, err = run("import_transcript", slug, str(path))
        assert status == 1 and "Traceback" not in err
        assert err.startswith(f"{path}:{line}: ") and message in err.splitlines()[0], err
        assert err.endswith("refused, nothing changed")
    assert (Episode.objects.get().version, Revision.objects.count()) == before and episode.items.count() == 0


SLIPS = {
    "slips.txt": (b"0:09\nA\nHi.\n\n0:61\nB\nBye.\n\n0:01\nB\nBack.\n\n0:30\nA\n", [5, 9, 15]),
    "slips.docx": (transcripts.docx_bytes([TALK[2], TALK[1]]), [4]),
}


@pytest.mark.parametrize("name", SLIPS)
def test_what_the_site_accepts_is_imported_with_every_warning_printed_and_strict_refuses_it(tmp_path, name):
    data, lines = SLIPS[name]
    path = tmp_path / name
    path.write_bytes(data)
    status, _, err = run("import_transcript", "ep", str(path), "--strict")
    assert status == 1 and err.splitlines()[0] == f"{path}: refused (strict: refuse on any warning): " + (
        f"{len(lines)} warning{'s' if len(lines) > 1 else ''}"
    )
    assert [line.split(": ", 1)[0] for line in err.splitlines()[1:-1]] == [f"{path}:{n}" for n in lines]
    assert err.endswith("refused, nothing changed") and not Episode.objects.exists()
    status, out, err = run("import_transcript", "ep", str(path), "-v", "0")
    assert status == 0 and [line.split(": ", 1)[0] for line in err.splitlines()] == [f"{path}:{n}" for n in lines]
    assert out.startswith("ep: created draft from ")
    assert Episode.objects.get().items.count() == (4 if name == "slips.txt" else 2)


def test_a_50_megabyte_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: the size is all that is looked at
    status, _, err = run("import_transcript", "ep", str(path))
    assert status == 1 and err.startswith(f"{path}:1: file is 52,428,800 bytes, over the 10,485,760-byte limit")
    assert not Episode.objects.exists()


def test_missing_files_and_bad_chapter_lists(files):
    status, _, err = run("import_transcript", "ep", str(files / "nope.txt"))
    assert status == 1 and err.startswith(f"{files / 'nope.txt'}:1: cannot read it: No such file or directory")
    (files / "bad.txt").write_text("00:00 Intro\n00:99 Oops\n", encoding="utf-8")
    status, _, err = run("import_transcript", "ep", str(files / "talk.txt"), "--chapters", str(files / "bad.txt"))
    assert status == 1 and err.startswith(f"{files / 'bad.txt'}:2: '00:99' is not a time like 00:01:20 or 1:20")
    assert not Episode.objects.exists()
