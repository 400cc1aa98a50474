"""Import/export speed against PyYAML's C loader and dumper on the same files, measured in one run.

    .venv/bin/python bench/files_io.py [--repeat 3] [--copies 200]

Samples: the valid files of ../shared/corpus/episodes + historic, and a corpus made by copying them up to
--copies files. Floors: reading each file and yaml.load with CSafeLoader (import); yaml.dump with CSafeDumper
of the same data (export). Ours: import_episodes' service into a fresh SQLite database holding the people
profiles, and export_episodes' service writing every file. Each figure is the best CPU time of --repeat
runs, interleaved; ratios are ours / floor.
Targets (issue 2): import <= 2.5x (aim 1.5x), export <= 2.0x (aim 1.2x). The import also keeps a revision,
counts warnings and indexes the transcript for search; a last line repeats it without the search index.
"""

import argparse
import gc
import os
import shutil
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


def measure(runs: dict, repeat: int) -> dict:
    """Best CPU time of each (setup, fn) in ``runs``, interleaved so that a slow spell hits all alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, (setup, fn) in runs.items():
            if setup:
                setup()
            gc.collect()
            gc.disable()
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
            gc.enable()
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
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
    print(
        f"{'sample':<22} {'floor load':>10} {'import':>8} {'ratio':>6} | {'floor dump':>10} {'export':>8} {'ratio':>6}"
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
        t_load, t_import, t_dump, t_export = t["load"], t["import"], t["dump"], t["export"]
        identical = sum((out / p.name).read_bytes() == p.read_bytes() for p in files)
        # The same import without the SQLite search index, to show what indexing the transcripts costs.
        search_index.remove_index(connection)
        plain = measure({"load": (None, floor_load), "import": (empty_database, ours_import)}, args.repeat)
        search_index.install_index(connection)
        parts[label] = plain["import"] / plain["load"]
        print(
            f"{label:<22} {t_load:>9.3f}s {t_import:>7.3f}s {t_import / t_load:>5.2f}x | "
            f"{t_dump:>9.3f}s {t_export:>7.3f}s {t_export / t_dump:>5.2f}x   ({identical}/{len(files)} byte-identical)"
        )
    for label, ratio in parts.items():
        print(f"{label:<22} import without the search index: {ratio:.2f}x the floor")
    connection.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
