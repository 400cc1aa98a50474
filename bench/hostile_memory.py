"""Peak memory of raw transcripts that are hostile, huge, or as big as the limits let in (issue 24).

    .venv/bin/python bench/hostile_memory.py [--lie-mb 2000] [--quick]

Each file goes through ``manage.py import_transcript`` in a child process of its own on a fresh SQLite
database (as a dry run, which is the admin's preview, and, for the files that are accepted, for real, which
is its "Apply"); the child's peak resident memory (``ru_maxrss``) and time are printed beside a floor
measured in the same run: the same command on the site's three-turn talk. The files:

- a .docx of a few MB whose zip directory understates ``word/document.xml``, which inflates to --lie-mb MB
  (it took a web worker to 2.2 GB): budget, refused at <= 150 MB;
- an honest .docx inside the old limits: 50 MB of XML, 1.39 million paragraphs (it took 1.33 GB and made
  a draft of 463,036 turns), refused at the paragraph limit;
- plain text and WebVTT of 10 MB, as many turns as fit under the turn limit (accepted) and as many as
  10 MB holds (refused at the limit), and a .docx of as many turns as the limits let in;
- budget for every accepted file: peak <= 10 x its size + 100 MB.
--quick builds the lie at 200 MB and skips the real imports.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from archive_memory import run_child
from benchsite import ROOT

MB = 1024 * 1024


def _parts() -> tuple[dict[str, bytes], bytes, bytes]:
    """Return the parts of a real Word document, and its document.xml split around where paragraphs go."""
    from episodes.tests.support import transcripts

    with zipfile.ZipFile(io.BytesIO(transcripts.docx_bytes(transcripts.TALK))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = parts["word/document.xml"]
    start = xml.index(b"<w:body>") + len(b"<w:body>")
    end = xml.index(b"<w:sectPr")
    return parts, xml[:start], xml[end:]


def _paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def docx_of(blocks: int, block) -> bytes:
    """Return a .docx whose body is ``blocks`` repetitions of ``block(n)`` (paragraph XML)."""
    parts, head, tail = _parts()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "word/document.xml":
                archive.writestr(name, data)
        with archive.open("word/document.xml", "w", force_zip64=False) as member:
            member.write(head)
            for n in range(blocks):
                member.write(block(n))
            member.write(tail)
    return out.getvalue()


def lying_docx(megabytes: int) -> bytes:
    """Return a .docx whose document.xml inflates to ``megabytes`` MB while its directory states the talk's."""
    from episodes.tests.support import transcripts

    parts, head, tail = _parts()
    honest = parts["word/document.xml"]
    chunk = b" " * MB
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "word/document.xml":
                archive.writestr(name, data)
        with archive.open("word/document.xml", "w", force_zip64=False) as member:
            member.write(honest[: -len(tail)])
            for _ in range(megabytes):
                member.write(chunk)
            member.write(tail)
    raw = bytearray(out.getvalue())
    transcripts.understate(raw, "word/document.xml", len(honest))
    return bytes(raw)


def text_of(turns: int, size: int) -> bytes:
    """Return plain text in the site's layout: ``turns`` turns filling about ``size`` bytes."""
    line = ("words about data " * (max(size // max(turns, 1) - 24, 20) // 17 + 1))[: max(size // turns - 24, 10)]
    blocks = [f"{(n // 60) // 60}:{(n // 60) % 60:02d}:{n % 60:02d}\nSpeaker {n % 3}\n{line}\n" for n in range(turns)]
    return "\n".join(blocks).encode()


def vtt_of(turns: int, size: int) -> bytes:
    """Return WebVTT with ``turns`` voiced cues filling about ``size`` bytes."""
    line = ("words about data " * (size // max(turns, 1) // 17 + 1))[: max(size // turns - 60, 10)]
    cues = []
    for n in range(turns):
        start = f"{n // 3600:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.000"
        end = f"{n // 3600:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.900"
        cues.append(f"{start} --> {end}\n<v Speaker {n % 3}>{line}\n")
    return ("WEBVTT\n\n" + "\n".join(cues)).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lie-mb", type=int, default=2000, help="what the lying .docx inflates to (MB, < 2047)")
    parser.add_argument("--quick", action="store_true", help="a 200 MB lie, and no real imports")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podcast.settings")
    import django

    django.setup()
    from django.conf import settings

    from episodes.tests.support import transcripts

    turns, paragraphs = settings.EPISODES_MAX_TRANSCRIPT_TURNS, settings.EPISODES_MAX_TRANSCRIPT_PARAGRAPHS
    limit = settings.EPISODES_MAX_FILE_BYTES
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        started = time.perf_counter()

        words = [
            "data",
            "model",
            "team",
            "pipeline",
            "metric",
            "feature",
            "engineer",
            "product",
            "question",
            "answer",
            "cloud",
            "batch",
        ]
        chooser = random.Random(24)

        def block(n: int, *, varied: bool = True) -> bytes:  # a time, a speaker and a text paragraph: one turn
            said = " ".join(chooser.choice(words) for _ in range(40)) if varied else "Some words about data. " * 12
            time = f"[{n // 3600}:{(n // 60) % 60:02d}:{n % 60:02d}]"
            return _paragraph(time) + _paragraph(f"Speaker {n % 3}") + _paragraph(said)

        files = {
            "talk.txt (floor)": (transcripts.plain_text(transcripts.TALK).encode(), True),
            f"lying.docx ({args.lie_mb if not args.quick else 200} MB inside)": (
                lying_docx(200 if args.quick else args.lie_mb),
                False,
            ),
            "honest-huge.docx (1.39 M paragraphs)": (
                docx_of(463_300, lambda n: _paragraph("[0:01]") + _paragraph("A") + _paragraph("Hi.")),
                False,
            ),
            f"at-limits.docx ({turns:,} turns)": (docx_of(min(turns, paragraphs // 3), block), True),
            f"same-text.docx ({turns:,} turns, one sentence)": (
                docx_of(min(turns, paragraphs // 3), lambda n: block(n, varied=False)),
                True,
            ),
            f"at-limits.txt ({turns:,} turns)": (text_of(turns, limit - 64 * 1024), True),
            "too-many.txt (10 MB of short turns)": (text_of(limit // 40, limit - 64 * 1024), False),
            f"at-limits.vtt ({turns:,} turns)": (vtt_of(turns, limit - 64 * 1024), True),
            "too-many.vtt (10 MB of short cues)": (vtt_of(limit // 60, limit - 64 * 1024), False),
        }
        print(f"built the files in {time.perf_counter() - started:.1f} s")
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "DJANGO_SECRET_KEY": "bench-only-secret-key",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        print(f"{'file':42} {'size':>9} {'run':8} {'result':9} {'time':>7} {'peak':>8} {'budget':>8}  vs floor")
        floor = None
        for index, (label, (data, accepted)) in enumerate(files.items()):
            path = work / label.split(" ")[0]
            path.write_bytes(data)
            runs = ["dry run"] + (["apply"] if accepted and not args.quick else [])
            for run in runs:
                extra = ["--dry-run"] if run == "dry run" else []
                seconds, peak, status = run_child(
                    "manage.py", "import_transcript", f"ep-{index}", str(path), *extra, "-v", "0", env=env
                )
                floor = peak if floor is None else floor
                budget = 150 if label.startswith("lying") else 10 * len(data) / MB + 100
                result = "accepted" if status == 0 else "refused"
                verdict = "ok" if peak <= budget and (status == 0) == accepted else "OVER" if peak > budget else "??"
                print(
                    f"{label:42} {len(data) / MB:7.2f}MB {run:8} {result:9} {seconds:6.1f}s {peak:6.0f}MB "
                    f"{budget:6.0f}MB  {peak / floor:4.2f}x  {verdict}"
                )
            path.unlink()


if __name__ == "__main__":
    main()
