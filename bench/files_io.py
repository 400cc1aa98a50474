"""Import/export speed against PyYAML's C loader and dumper on the same files, measured in one run.

    .venv/bin/python bench/files_io.py [--repeat 7] [--copies 200]

Samples: the valid files of ../shared/corpus/episodes + historic, and a corpus made by copying them up to
--copies files. Floors: reading each file and yaml.load with CSafeLoader (import); yaml.dump with CSafeDumper
of the same data (export). Ours: import_episodes' service into a fresh SQLite database holding the people
profiles, and export_episodes' service writing every file. Each figure is the best CPU time of --repeat
runs, interleaved; ratios are ours / floor, both best over best and the median of the runs side by side
(this machine's speed drifts: the two agree when it is calm).
Targets (issue 2): import <= 2.5x (aim 1.5x), export <= 2.0x (aim 1.2x). The import also keeps a revision,
counts warnings and indexes the transcript for search; a last line repeats it without the search index.
"""

import argparse
import gc
import os
import shutil
import statistics
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        sys.exit(f"bench: the shared corpus is not at {corpus}")
    work = Path(tempfile.mkdtemp(prefix="bench-io-"))
    setup_django(work / "db.sqlite3")

    import yaml
    from django.core.management import call_command
    from django.db import connection

    from episodes import exporting, importing, search_index
    from episodes import frontmatter as fm
    from episodes.models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef, Revision, Speaker, TranscriptItem

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
    parts = {}
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
            with connection.cursor() as cursor:
                for model in (Revision, TranscriptItem, BodyLink, PlatformRef, EpisodeGuest, Speaker, Episode, Person):
                    cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model names
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
    connection.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
