"""Reading a 3,000-turn raw transcript in each format against reading it with its library alone, in one run.

    .venv/bin/python bench/transcript_intake.py [--turns 3000] [--repeat 9]

The transcript is made of the corpus's real turns (../shared/corpus, else generated sentences), one section
header every 100 turns, written as Word (.docx), plain text, WebVTT and SRT by the test suite's writers.
Floors, each reading the same bytes: python-docx opening the document and taking every paragraph's text;
plain text decoded and split into lines; webvtt-py parsing the WebVTT and the SRT and taking every caption's
start and text. Ours: ``episodes.transcript_files.read_transcript``, which recognises the format and returns
the transcript list (times parsed and written by the project's time functions, speakers, section headers),
checking every turn. Each figure is the best CPU time of --repeat interleaved runs; ratios are ours / floor,
best over best and the median of the runs side by side.
Target (issue 12): <= 2x the floor in each format. A last table shows the whole import for information:
``transcript_import`` into SQLite (replacing the transcript, one revision, search index, warnings).
"""

import argparse
import io
import shutil
import tempfile
from pathlib import Path

import benchsite
from files_io import measure, ratios

SHARED = benchsite.ROOT.parent / "shared"


def _is_name(who) -> bool:
    return isinstance(who, str) and 0 < len(who) <= 40  # a few files have a sentence there


def sample_turns(count: int) -> list[dict]:
    """Return ``count`` transcript items: real turns from the corpus (else made up), times going forward."""
    from episodes import frontmatter as fm

    texts = []
    for path in sorted((SHARED / "corpus" / "episodes").glob("*.md")):
        try:
            items = fm.parse(path.read_bytes()).front.get("transcript") or []
        except fm.FormatError:
            continue
        texts += [(i["who"], i["line"]) for i in items if isinstance(i.get("line"), str) and _is_name(i.get("who"))]
    texts = [(who, " ".join(line.split())) for who, line in texts if line.strip()]
    if not texts:
        words = ["data", "model", "pipeline", "team", "engineer", "question", "answer", "product", "metric", "feature"]
        texts = [(("Alexey", "Jane")[i % 2], " ".join(words[(i + j) % 10] for j in range(40))) for i in range(50)]
    items, sec = [], 0
    for n in range(count):
        if n % 100 == 0:
            items.append({"header": f"Section {n // 100 + 1}: what comes next"})
        who, line = texts[n % len(texts)]
        items.append({"line": line, "sec": sec, "time": fm.seconds_to_time(sec), "who": who})
        sec += 3 + n % 17
    return items


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    benchsite.setup(work)

    import docx
    import webvtt

    from episodes import services
    from episodes import transcript_files as tf
    from episodes.tests import transcripts

    items = sample_turns(args.turns)
    files = {
        "docx": transcripts.docx_bytes(items),
        "text": transcripts.plain_text(items).encode(),
        "vtt": transcripts.webvtt(items).encode(),
        "srt": transcripts.srt(items).encode(),
    }
    limit = 100 * 1024 * 1024

    def floor_docx(data=files["docx"]):
        return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]

    def floor_text(data=files["text"]):
        return data.decode("utf-8").split("\n")

    def floor_cues(data, kind):
        captions = webvtt.from_buffer(io.StringIO(data.decode("utf-8")), format=kind)
        return [(c.start, c.text) for c in captions]

    floors = {
        "docx": floor_docx,
        "text": floor_text,
        "vtt": lambda: floor_cues(files["vtt"], "vtt"),
        "srt": lambda: floor_cues(files["srt"], "srt"),
    }
    for kind, data in files.items():
        read = tf.read_transcript(data, name=f"talk.{kind}", max_bytes=limit)
        assert read.items == (items if kind in ("docx", "text") else transcripts.turns(items)), kind

    print(f"{args.turns} turns, {len(items) - args.turns} section headers; best CPU time of {args.repeat} runs")
    print("ratios: best time over best time, then the median of the runs side by side")
    print(f"{'format':<6} {'bytes':>10} {'floor':>9} {'ours':>9} {'best':>6} {'median':>6}  target <= 2.00x")
    for kind, data in files.items():
        t = measure(
            {
                "floor": (None, floors[kind]),
                "ours": (
                    None,
                    lambda data=data, kind=kind: tf.read_transcript(data, name=f"talk.{kind}", max_bytes=limit),
                ),
            },
            args.repeat,
        )
        best, paired = ratios(t, "ours", "floor")
        print(
            f"{kind:<6} {len(data):>10,} {min(t['floor']) * 1000:>7.1f}ms {min(t['ours']) * 1000:>7.1f}ms "
            f"{best:>5.2f}x {paired:>5.2f}x"
        )

    # Where plain text's time goes: the floor splits lines in C; reading a turn calls the project's time
    # parser and formatter once each (one home for times), which alone take about the floor's time.
    from episodes import frontmatter as fm

    times = [item["time"] for item in items if "time" in item]
    t = measure({"times": (None, lambda: [fm.seconds_to_time(fm.time_to_seconds(x)) for x in times])}, args.repeat)
    spent = min(t["times"]) * 1000
    print(f"text: fm.time_to_seconds + fm.seconds_to_time on its {len(times)} times alone: {spent:.1f}ms")

    print("\nthe whole import for information (transcript_import into SQLite, replacing the transcript):")
    for kind, data in files.items():
        t = measure(
            {
                "floor": (None, floors[kind]),
                "import": (
                    None,
                    lambda data=data, kind=kind: services.transcript_import(
                        slug="bench", name=f"talk.{kind}", data=data, replace=True
                    ),
                ),
            },
            max(3, args.repeat // 3),
        )
        best, paired = ratios(t, "import", "floor")
        print(f"{kind:<6} import {min(t['import']) * 1000:>7.1f}ms  {best:>5.2f}x / {paired:>5.2f}x the floor")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
