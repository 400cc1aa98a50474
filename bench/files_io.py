"""Import/export speed against PyYAML's C loader and dumper on the same files, measured in one run.

    .venv/bin/python bench/files_io.py [--repeat 7] [--copies 200] [--turns 3000]

Samples: the valid files of ../shared/corpus/episodes + historic, and a corpus made by copying them up to
--copies files. Floors: reading each file and yaml.load with CSafeLoader (import); yaml.dump with CSafeDumper
of the same data (export). Ours: import_episodes' service into a fresh SQLite database holding the people
profiles, and export_episodes' service writing every file. Each figure is the best CPU time of --repeat
runs, interleaved; ratios are ours / floor, both best over best and the median of the runs side by side
(this machine's speed drifts: the two agree when it is calm).
Targets (issue 2): import <= 2.5x (aim 1.5x), export <= 2.0x (aim 1.2x). The import also keeps a revision,
counts warnings and indexes the transcript for search; a last line repeats it without the search index.

As whole processes (issue 18: export <= 2.0x the dump floor, import <= 2.5x the load floor): the commands
``export_episodes OUTDIR`` and ``import_episodes FOLDER`` each run in a fresh process (nothing remembered
from an earlier run), timed around the command and, for information, with the interpreter's and Django's
start. Style-preserving write (issue 18: <= 1.5x): one turn of a --turns episode edited, written back into
its file as a push does (linewise.rewrite), against the canonical write of the same document (its items'
texts not remembered), for a canonical file and a hand-formatted one.
"""

import argparse
import copy
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def setup_django(db_path: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podcast.settings")
    import django

    django.setup()


def measure(runs: dict, repeat: int) -> dict[str, list[float]]:
    """CPU times of each (setup, fn) in ``runs``, interleaved so that a slow spell hits all alike."""
    times = {name: [] for name in runs}
    for _ in range(repeat):
        for name, (setup, fn) in runs.items():
            if setup:
                setup()
            gc.collect()
            gc.disable()
            start = time.process_time()
            fn()
            times[name].append(time.process_time() - start)
            gc.enable()
    return times


def ratios(times: dict[str, list[float]], ours: str, floor: str) -> tuple[float, float]:
    """Return ours / floor twice: best time over best time, and the median of the runs side by side."""
    return min(times[ours]) / min(times[floor]), statistics.median(
        a / b for a, b in zip(times[ours], times[floor], strict=True)
    )


def child(command: str, db_path: str, *args: str) -> None:
    """Run one management command in this fresh process; print the CPU seconds it took (not the start)."""
    setup_django(Path(db_path))
    from django.core.management import call_command

    start = time.process_time()
    call_command(command, *args, verbosity=0)
    print(time.process_time() - start)


def run_child(command: str, db_path: Path, *args: str) -> tuple[float, float]:
    """Return (CPU seconds of the command, CPU seconds of its whole process) run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, __file__, "--child", command, str(db_path), *args], capture_output=True, text=True, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    whole = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(done.stdout.strip().splitlines()[-1]), whole


def style_write(corpus: Path, turns: int, repeat: int) -> None:
    """Print the style-preserving write of an edited ``turns``-turn episode against its canonical write."""
    from episodes.format import frontmatter as fm
    from episodes.format import linewise

    text = (corpus / "episodes" / "crisp-dm.md").read_text(encoding="utf-8")
    doc = fm.parse(text)
    items = doc.front["transcript"]
    long = [dict(item) for item in (items * (turns // len(items) + 1))[:turns]]
    for number, item in enumerate(long):
        if "line" in item:
            item["line"] += f" ({number})"
    front = dict(doc.front, transcript=long)
    canonical = fm.render(front, doc.body)
    # crisp-dm's own hand-formatted lines above the transcript, then the long transcript.
    hand = text[: text.index("\ntranscript:\n") + 1] + fm.dump({"transcript": long}) + "---" + doc.body
    edited = fm.Document(front=copy.deepcopy(front), body=doc.body)
    turn = edited.front["transcript"][turns // 2]
    turn["line" if "line" in turn else "header"] = "A one-word fix of this turn."
    print(f"style-preserving write of a {turns}-turn episode, one turn edited (best CPU time of {repeat} runs)")
    for label, original in (("canonical file", canonical), ("hand-formatted file", hand)):
        assert fm.same_document(fm.parse(linewise.rewrite(original, edited)), edited)
        t = measure(
            {
                "canonical": (fm._ITEM_TEXTS.clear, edited.render),
                "style": (fm._ITEM_TEXTS.clear, lambda original=original: linewise.rewrite(original, edited)),
            },
            repeat,
        )
        best, paired = ratios(t, "style", "canonical")
        print(
            f"  {label:<20} canonical {min(t['canonical']):.3f}s  style-preserving {min(t['style']):.3f}s  "
            f"{best:.2f}x / {paired:.2f}x (target <= 1.5x)"
        )


def main():
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--turns", type=int, default=3000)
    args = parser.parse_args()
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        sys.exit(f"bench: the shared corpus is not at {corpus}")
    work = Path(tempfile.mkdtemp(prefix="bench-io-"))
    setup_django(work / "db.sqlite3")

    import yaml
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    from episodes import search_index
    from episodes.documents import exporting
    from episodes.format import frontmatter as fm
    from episodes.models import Episode
    from episodes.services import importing

    call_command("migrate", verbosity=0)
    valid = []
    for folder in ("episodes", "historic"):
        for path in sorted((corpus / folder).glob("*.md")):
            try:
                fm.validate_episode(fm.parse(path.read_bytes()))
                valid.append(path)
            except fm.FormatError:
                pass

    samples = {}
    small = work / "sample"
    small.mkdir()
    for i, path in enumerate(valid):
        shutil.copyfile(path, small / f"e{i:05d}.md")
    samples[f"sample ({len(valid)} files)"] = small
    big = work / "copies"
    big.mkdir()
    for i in range(args.copies):
        shutil.copyfile(valid[i % len(valid)], big / f"c{i:05d}.md")
    samples[f"copied ({args.copies} files)"] = big

    print(f"PyYAML {yaml.__version__}, libyaml: {yaml.__with_libyaml__}, best CPU time of {args.repeat} runs")
    print("ratios: best time over best time, then the median of the runs side by side")
    print(
        f"{'sample':<20} {'floor load':>10} {'import':>8} {'best':>6} {'median':>6} | "
        f"{'floor dump':>10} {'export':>8} {'best':>6} {'median':>6}"
    )
    parts, floors = {}, {}
    for label, folder in samples.items():
        files = sorted(folder.glob("*.md"))
        datas = []

        def floor_load(files=files, datas=datas):
            datas.clear()
            for path in files:
                text = path.read_bytes().decode("utf-8")
                end = text.index("\n---", 3)
                datas.append(yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader))  # noqa: S506

        def floor_dump(datas=datas):
            for data in datas:
                yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)

        def empty_database():
            # Every table of the app, whatever models come: foreign keys are off for the deletes only.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys = OFF")
                for model in apps.get_app_config("episodes").get_models():
                    if not model._meta.proxy and model._meta.managed:
                        cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model names
                cursor.execute("PRAGMA foreign_keys = ON")
            if search_index.index_installed(connection):
                # As new: the deletes above left tombstones in the index that the next import would merge.
                search_index.remove_index(connection)
                search_index.install_index(connection)
            # Profiles come first in a real import (--people), so episodes find their guests.
            importing.import_sources(importing.path_sources([str(corpus / "people")], people=True))

        def ours_import(folder=folder):
            report = importing.import_sources(importing.path_sources([str(folder)]))
            assert not report.refused, report.refused[0]

        out = work / "out"

        def ours_export(out=out):
            shutil.rmtree(out, ignore_errors=True)
            exporting.export_episodes(str(out), Episode.objects.order_by("slug"))

        t = measure(
            {
                "load": (None, floor_load),
                "import": (empty_database, ours_import),
                "dump": (None, floor_dump),
                "export": (None, ours_export),
            },
            args.repeat,
        )
        identical = sum((out / p.name).read_bytes() == p.read_bytes() for p in files)
        # The same import without the SQLite search index, to show what indexing the transcripts costs.
        search_index.remove_index(connection)
        plain = measure({"load": (None, floor_load), "import": (empty_database, ours_import)}, args.repeat)
        search_index.install_index(connection)
        parts[label] = ratios(plain, "import", "load")
        floors[label] = (folder, min(t["load"]), min(t["dump"]))
        best = {name: min(times) for name, times in t.items()}
        (import_best, import_paired), (export_best, export_paired) = (
            ratios(t, "import", "load"),
            ratios(t, "export", "dump"),
        )
        print(
            f"{label:<20} {best['load']:>9.3f}s {best['import']:>7.3f}s {import_best:>5.2f}x {import_paired:>5.2f}x | "
            f"{best['dump']:>9.3f}s {best['export']:>7.3f}s {export_best:>5.2f}x {export_paired:>5.2f}x   "
            f"({identical}/{len(files)} byte-identical)"
        )
    for label, (best, paired) in parts.items():
        print(f"{label:<20} import without the search index: {best:.2f}x / {paired:.2f}x the floor")
    print("as whole processes, each command in a fresh process (best of the runs; with the start in brackets)")
    for label, (folder, load_floor, dump_floor) in floors.items():
        imports, exports = [], []
        for _ in range(max(args.repeat // 2, 2)):
            empty_database()
            connection.close()
            imports.append(run_child("import_episodes", work / "db.sqlite3", str(folder)))
            out = work / "out-process"
            shutil.rmtree(out, ignore_errors=True)
            exports.append(run_child("export_episodes", work / "db.sqlite3", str(out)))
        (imp, imp_whole), (exp, exp_whole) = min(imports), min(exports)
        print(
            f"{label:<20} import_episodes {imp:.3f}s ({imp_whole:.3f}s) {imp / load_floor:.2f}x "
            f"({imp_whole / load_floor:.2f}x) the load floor (target <= 2.5x) | export_episodes {exp:.3f}s "
            f"({exp_whole:.3f}s) {exp / dump_floor:.2f}x ({exp_whole / dump_floor:.2f}x) the dump floor "
            "(target <= 2.0x)"
        )
    connection.close()
    style_write(corpus, args.turns, args.repeat)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
