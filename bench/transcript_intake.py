"""Reading a 3,000-turn raw transcript in each format against reading it with its library alone, in one run.

    .venv/bin/python bench/transcript_intake.py [--turns 3000] [--repeat 9]

The transcript is made of the corpus's real turns (../shared/corpus, else generated sentences), one section
header every 100 turns, written as Word (.docx), plain text, WebVTT and SRT by the test suite's writers.
Floors, each reading the same bytes: python-docx opening the document and taking every paragraph's text;
plain text decoded and split into lines; webvtt-py parsing the WebVTT and the SRT and taking every caption's
start and text. Ours: ``episodes.format.transcript_files.read_transcript``, which recognises the format and returns
the transcript list (times in the files' form, speakers, section headers), checking every turn. A timed run
reads the file as many times as make the floor last 20 ms (as timeit's autorange does); each figure is the
best CPU time of --repeat interleaved runs, per read; ratios are ours / floor, best over best and the median
of the runs side by side. What the setup made is frozen out of the garbage collector first.
Target (issue 12): <= 2x the floor in each format. A last table shows the whole import for information:
``transcript_import`` into SQLite (replacing the transcript, one revision, search index, warnings).

Then (issue 19; alone with --corpus-only) the site's episodes rebuilt as raw transcripts: each corpus episode
with a transcript written as the raw file an editor receives (plain text, or Word where plain text cannot carry
it: see episodes/tests/support/site_intake.py), its other keys imported, then intake with its chapter list.
Printed: how many were imported, the warnings by kind, and how many of the site's clips intake built exactly.
Target: every episode imported (the real site: 183/183); clips equal on >= 3,390 of 3,400 (99.7%).
"""

import argparse
import gc
import io
import math
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import benchsite
from files_io import measure, ratios

SHARED = benchsite.ROOT.parent / "shared"


def _is_name(who) -> bool:
    return isinstance(who, str) and 0 < len(who) <= 40  # a few files have a sentence there


def sample_turns(count: int) -> list[dict]:
    """Return ``count`` transcript items: real turns from the corpus (else made up), times going forward."""
    from episodes.format import frontmatter as fm

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


def autorange(fn) -> int:
    """Return how many calls of ``fn`` last 20 ms or more, as timeit's autorange does: a single short call's
    time (the plain text's floor is a millisecond) is mostly the state the allocator and the caches happen
    to be in, not the reading."""
    start = time.process_time()
    fn()
    return max(1, math.ceil(0.02 / max(time.process_time() - start, 1e-6)))


def repeated(fn, calls: int):
    """Return a timed run: ``fn`` called ``calls`` times."""

    def run():
        for _ in range(calls):
            fn()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--corpus-only", action="store_true", help="Only the site's episodes through intake.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    benchsite.setup(work)
    if not args.corpus_only:
        timings(args)
    site_episodes()
    shutil.rmtree(work, ignore_errors=True)


def site_episodes():
    """Print how the site's episodes, rebuilt as raw transcripts, come through intake with their chapter lists."""
    from episodes.tests.support import site_intake

    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        print(f"\nthe site's episodes through intake: skipped, the shared corpus is not at {corpus}")
        return
    done = [site_intake.rebuild(path, front, corpus) for path, front in site_intake.corpus_episodes(corpus)]
    imported = [d for d in done if not d.refused]
    formats = Counter(d.name.rsplit(".", 1)[-1] for d in done)
    kinds = Counter(site_intake.warning_kind(line) for d in done for line in d.warnings)
    equal, total = sum(d.clips_equal for d in done), sum(d.clips_site for d in done)
    print(f"\nthe site's episodes rebuilt as raw transcripts ({', '.join(f'{n} {k}' for k, n in formats.items())}):")
    print(f"imported {len(imported)}/{len(done)} (target: all; the real site 183/183)")
    for d in done:
        if d.refused:
            print(f"  refused: {d.refused}")
    print(
        f"warnings: {sum(kinds.values())} in {sum(bool(d.warnings) for d in done)} files"
        + "".join(f"; {n} {kind}" for kind, n in kinds.most_common())
    )
    print(f"clips equal to the site's: {equal}/{total} ({equal / max(total, 1):.1%}; target >= 3,390/3,400, 99.7%)")
    for d in done:
        if d.clips_equal < d.clips_site:
            print(f"  {d.slug}: {d.clips_equal}/{d.clips_site}")


def timings(args):
    """Print the reading tables and the whole import, each against its floor."""

    import docx
    import webvtt

    from episodes import services
    from episodes.format import transcript_files as tf
    from episodes.tests.support import transcripts

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
    # What the setup made (Django, python-docx, the samples) is frozen out of the garbage collector: the
    # collection before each timed run then walks only the runs' own garbage instead of the whole heap, which
    # would leave every run with cold caches (for the floor too) and weigh on whatever touches more memory.
    gc.collect()
    gc.freeze()
    for kind, data in files.items():
        read = tf.read_transcript(data, name=f"talk.{kind}", max_bytes=limit)
        assert read.items == (items if kind in ("docx", "text") else transcripts.turns(items)), kind

    print(f"{args.turns} turns, {len(items) - args.turns} section headers; best CPU time of {args.repeat} runs")
    print("ratios: best time over best time, then the median of the runs side by side")
    print(f"{'format':<6} {'bytes':>10} {'floor':>9} {'ours':>9} {'best':>6} {'median':>6}  target <= 2.00x")
    reads = {
        kind: (lambda data=data, kind=kind: tf.read_transcript(data, name=f"talk.{kind}", max_bytes=limit))
        for kind, data in files.items()
    }
    calls = {kind: autorange(floors[kind]) for kind in files}
    for kind, data in files.items():
        t = measure(
            {"floor": (None, repeated(floors[kind], calls[kind])), "ours": (None, repeated(reads[kind], calls[kind]))},
            args.repeat,
        )
        best, paired = ratios(t, "ours", "floor")
        print(
            f"{kind:<6} {len(data):>10,} {min(t['floor']) / calls[kind] * 1000:>7.1f}ms "
            f"{min(t['ours']) / calls[kind] * 1000:>7.1f}ms {best:>5.2f}x {paired:>5.2f}x  ({calls[kind]} reads a run)"
        )

    # The least any plain-text reader returning the transcript list can do, in the same runs: decode, split,
    # and make each turn's dict from its three lines, knowing the layout and checking nothing (no speaker,
    # no text, no order; times looked up in the table; headers kept as they are).
    from episodes.format import frontmatter as fm

    written = fm.written_times()

    def least(data=files["text"]):
        lines = data.decode("utf-8").split("\n")
        rest, lookup, made = iter(lines), written.get, []
        for line in rest:
            if line:
                sec = lookup(line)
                if sec is None:
                    made.append({"header": line})
                else:
                    made.append({"line": next(rest), "sec": sec, "time": line, "who": next(rest)})
        return made

    runs = {"floor": floors["text"], "least": least, "ours": reads["text"]}
    t = measure({name: (None, repeated(fn, calls["text"])) for name, fn in runs.items()}, args.repeat)
    least_x, ours_x, over = (ratios(t, a, b)[0] for a, b in (("least", "floor"), ("ours", "floor"), ("ours", "least")))
    print(
        f"text: the least a reader of the transcript list does (decode, split, a dict a turn, no checks) is "
        f"{least_x:.2f}x the floor; ours, in the same runs, {ours_x:.2f}x the floor and {over:.2f}x that least reader"
    )

    # Plain text reads a time as the files write it by one lookup in fm.written_times, a table the process
    # builds once, an hour of times at a time, as transcripts that long come; its cost is outside the runs above.
    hours = max(item.get("sec", 0) for item in items) // 3600 + 1
    table = fm.written_times(hours)
    t = measure({"table": (None, lambda: {fm.seconds_to_time(s): s for s in range(len(table))})}, 3)
    size = sys.getsizeof(table) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in table.items())
    print(
        f"text: its table of written times ({len(table):,} times, {hours} hours) is built once a process "
        f"in {min(t['table']) * 1000:.1f}ms and holds {size / 1e6:.1f} MB"
    )

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


if __name__ == "__main__":
    main()
