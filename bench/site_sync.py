"""Pull and push against a git repository the size of the site, with the YAML floor measured in the same run.

    .venv/bin/python bench/site_sync.py [--repeat 5] [--episodes 203] [--people 438]

Builds a throwaway repository (git init) of --episodes episode files and --people profiles, copied from the
valid files of ../shared/corpus under new names, then measures, each the best of --repeat runs interleaved
with the floor, both in CPU time (this process and the git processes it ran: steady on a busy machine) and in
wall time:

- floor: read every file of the repository and load its front matter with PyYAML's C loader (CSafeLoader);
- pull: ``sync_site pull`` of the whole repository into an empty database (the import, its revisions, the
  search index and each file's sync state); ratio to the floor, best over best and the median side by side;
  for reference, ``import_episodes``' service on the same files from the working tree (what a pull adds);
- second pull: a pull with nothing new (budget 0.5 s);
- push: one episode's title edited, then ``sync_site push`` to a branch (budget 1 s).

Budgets (issue 11): pull <= 2.5x the floor (goal 1.5x), second pull <= 0.5 s, push <= 1 s.
"""

import argparse
import gc
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchsite import ROOT, setup

SHARED = ROOT.parent / "shared"


def git(root: Path, *args: str) -> str:
    identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", "-C", str(root), *identity, *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def build_site(root: Path, corpus: Path, episodes: int, people: int) -> None:
    """Write a repository of ``episodes`` episode files and ``people`` profiles made from the corpus."""
    from episodes import frontmatter as fm

    valid = []
    for path in sorted((corpus / "episodes").glob("*.md")):
        try:
            fm.validate_episode(fm.parse(path.read_bytes()))
            valid.append(path)
        except fm.FormatError:
            pass
    profiles = sorted((corpus / "people").glob("*.md"))
    (root / "_podcast").mkdir(parents=True)
    (root / "_people").mkdir()
    for i in range(episodes):
        source = valid[i % len(valid)]
        shutil.copyfile(source, root / "_podcast" / f"{source.stem}-{i:03d}.md")
    for i in range(people):
        source = profiles[i % len(profiles)]
        key = source.stem if i < len(profiles) else f"{source.stem}{i:03d}"
        text = source.read_text(encoding="utf-8").replace(f"short: {source.stem}\n", f"short: {key}\n", 1)
        (root / "_people" / f"{key}.md").write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The site")


def best_and_median(ours: list[float], floor: list[float]) -> tuple[float, float]:
    return min(ours) / min(floor), statistics.median(a / b for a, b in zip(ours, floor, strict=True))


def cpu() -> float:
    """Return the CPU seconds used so far by this process and the child processes it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Times:
    """CPU and wall times of repeated runs of one thing."""

    def __init__(self):
        self.cpu, self.wall = [], []

    def run(self, fn) -> None:
        gc.collect()
        gc.disable()
        start_cpu, start_wall = cpu(), time.perf_counter()
        fn()
        self.wall.append(time.perf_counter() - start_wall)
        self.cpu.append(cpu() - start_cpu)
        gc.enable()

    def line(self) -> str:
        return f"{min(self.cpu):.3f} s CPU ({max(self.cpu):.3f} worst), {min(self.wall):.3f} s wall"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=203)
    parser.add_argument("--people", type=int, default=438)
    args = parser.parse_args()
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        sys.exit(f"bench: the shared corpus is not at {corpus}")
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    setup(work)

    import yaml
    from django.db import connection

    from episodes import importing, search_index
    from episodes.models import (
        BodyLink,
        Episode,
        EpisodeGuest,
        EpisodeRedirect,
        Person,
        PersonRedirect,
        PlatformRef,
        Revision,
        SiteFile,
        SiteState,
        Speaker,
        TranscriptItem,
    )
    from episodes.services import episode_save
    from episodes.services import site as site_sync

    repo = work / "site"
    build_site(repo, corpus, args.episodes, args.people)
    files = sorted((repo / "_podcast").glob("*.md")) + sorted((repo / "_people").glob("*.md"))

    def floor_load():
        for path in files:
            text = path.read_bytes().decode("utf-8")
            end = text.index("\n---", 3)
            yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader)  # noqa: S506 - the C safe loader

    def empty_database():
        tables = (Revision, TranscriptItem, BodyLink, PlatformRef, EpisodeGuest, Speaker, SiteFile, SiteState)
        with connection.cursor() as cursor:
            for model in (*tables, EpisodeRedirect, PersonRedirect, Episode, Person):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model names
        if search_index.index_installed(connection):
            search_index.remove_index(connection)
            search_index.install_index(connection)

    def pull():
        report = site_sync.site_pull(repo=str(repo))
        assert not report.problems, report.problems[0]

    def plain_import():
        people = importing.path_sources([str(repo / "_people")], people=True)
        report = importing.import_sources([*people, *importing.path_sources([str(repo / "_podcast")])])
        assert not report.refused, report.refused[0]

    floors, pulls, imports = Times(), Times(), Times()
    for _ in range(args.repeat):
        floors.run(floor_load)
        empty_database()
        imports.run(plain_import)
        empty_database()
        pulls.run(pull)
    counts = (Episode.objects.count(), Person.objects.count())
    seconds = Times()
    for _ in range(args.repeat):
        seconds.run(pull)
    episode = Episode.objects.order_by("slug").first()
    pushes = Times()
    for n in range(args.repeat):
        episode_save(episode=Episode.objects.get(pk=episode.pk), fields={"title": f"Edited title {n}"})

        def push():
            report = site_sync.site_push(repo=str(repo))
            assert report.commit, report.summary()

        pushes.run(push)
    changed = git(repo, "diff", "--numstat", f"{SiteState.load().pushed_commit}^", SiteState.load().pushed_commit)

    print(f"PyYAML {yaml.__version__}, libyaml: {yaml.__with_libyaml__}; best of {args.repeat} runs")
    print(f"repository: {len(files)} files ({args.episodes} episodes, {args.people} people); pulled {counts}")
    print(f"floor, C-libyaml load of every file: {floors.line()}")
    print(f"pull into a fresh database:          {pulls.line()}")
    for kind in ("cpu", "wall"):
        best, paired = best_and_median(getattr(pulls, kind), getattr(floors, kind))
        print(f"  pull / floor ({kind}): {best:.2f}x best over best, {paired:.2f}x median side by side")
    print("  (budget 2.5x, goal 1.5x)")
    best, paired = best_and_median(imports.cpu, floors.cpu)
    print(f"  for reference, import_episodes of the same files: {imports.line()}; {best:.2f}x the floor (cpu)")
    print(f"second pull, nothing new:            {seconds.line()}   (budget 0.5 s)")
    print(f"push of one edited episode:          {pushes.line()}   (budget 1 s)")
    print(f"last push's diff (added, removed, file): {changed}")
    connection.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
