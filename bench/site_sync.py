"""Pull and push against a git repository the size of the site, with the YAML floor measured in the same run.

    .venv/bin/python bench/site_sync.py [--repeat 5] [--episodes 203] [--people 438] [--renames 584]
        [--edits 600] [--other-commits 1500]

Builds a throwaway repository (git init, git fast-import) of --episodes episode files and --people profiles,
copied from the valid files of ../shared/corpus under new names, with a history the site's size: the
episodes added under old names and renamed --renames times in all (chains of several, half of the first
renames in one big commit), --edits edits, and --other-commits commits of other folders, then measures,
each the best of --repeat runs interleaved with the floor, both in CPU time (this process and the git
processes it ran: steady on a busy machine) and in wall time:

- floor: read every file of the repository and load its front matter with PyYAML's C loader (CSafeLoader);
- pull: ``sync_site pull`` of the whole repository into an empty database (the import, its revisions, the
  search index, each file's sync state, and the history walk: its redirects and dates); ratio to the floor,
  best over best and the median side by side; the history walk alone beside it;
  for reference, ``import_episodes``' service on the same files from the working tree (what a pull adds);
- second pull: a pull with nothing new (budget 0.5 s);
- push: one episode's title edited, then ``sync_site push`` to a branch (budget 1 s).

Budgets: pull with the rename history <= 3x the floor (issue 18; 2.5x without it, issue 11; goal 1.5x),
second pull <= 0.5 s, push <= 1 s.
"""

import argparse
import gc
import io
import random
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


def build_site(
    root: Path, corpus: Path, episodes: int, people: int, *, renames: int = 0, edits: int = 0, other_commits: int = 0
) -> int:
    """Write a repository of ``episodes`` episode files and ``people`` profiles made from the corpus.

    Its history is the site's in shape: each episode is added under an old ``sNNeMM-...`` name, then
    ``renames`` renames (chains of several for some files; half the first renames in one big commit, as the
    site renamed its old names at once, some with an edit) and ``edits`` body edits fall over many later
    commits, between ``other_commits`` commits that touch other folders (the site's posts). Built with one
    ``git fast-import``; return the number of commits.
    """
    from episodes.format import frontmatter as fm

    valid = []
    for path in sorted((corpus / "episodes").glob("*.md")):
        try:
            fm.validate_episode(fm.parse(path.read_bytes()))
            valid.append(path)
        except fm.FormatError:
            pass
    profiles = sorted((corpus / "people").glob("*.md"))
    rng = random.Random(18)
    steps = max(2 * episodes, renames + edits // 2, 10)
    # Each episode: the step it is added at, the steps it is renamed at, its names in turn, today's last.
    per_episode = [0] * episodes
    for _ in range(renames):
        per_episode[rng.randrange(episodes)] += 1
    events: dict[int, list[tuple[str, int]]] = {}
    names: list[list[str]] = []
    bulk = steps * 3 // 5
    for i in range(episodes):
        stem = valid[i % len(valid)].stem
        added, count = rng.randrange(steps // 2), per_episode[i]
        if count and rng.random() < 0.5:
            renamed = [bulk, *sorted(rng.sample(range(bulk + 1, steps), count - 1))]
        else:
            renamed = sorted(rng.sample(range(added + 1, steps), count))
        for step in [added, *renamed]:
            events.setdefault(step, []).append(("rename" if step != added else "add", i))
        old = [f"s{i // 20 + 1:02d}e{i % 20 + 1:02d}-{stem[:24]}"] + [f"{stem}-{i:03d}-v{n}" for n in range(1, count)]
        names.append([*old[:count], f"{stem}-{i:03d}"])
    added_at = {i: step for step, todo in events.items() for kind, i in todo if kind == "add"}
    for _ in range(edits):
        i = rng.randrange(episodes)
        events.setdefault(rng.randrange(added_at[i] + 1, steps), []).append(("edit", i))
    for _ in range(other_commits):
        events.setdefault(rng.randrange(steps), []).append(("other", -1))

    texts = [valid[i % len(valid)].read_bytes() for i in range(episodes)]
    current = [0] * episodes  # index into names[i]
    out = io.BytesIO()

    def data(content: bytes) -> None:
        out.write(b"data %d\n" % len(content) + content + b"\n")

    commits = 0

    def commit(lines: list[bytes], message: str) -> None:
        nonlocal commits
        commits += 1
        when = 1577836800 + commits * 43200  # from 2020-01-01, twice a day
        out.write(b"commit refs/heads/main\n")
        out.write(f"committer Bench <bench@example.com> {when} +0000\n".encode())
        data(message.encode())
        for line in lines:
            out.write(line)

    def put(path: str, content: bytes) -> bytes:
        return f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(content) + content + b"\n"

    first = [put("README.md", b"The site.\n")]
    for i in range(people):
        source = profiles[i % len(profiles)]
        key = source.stem if i < len(profiles) else f"{source.stem}{i:03d}"
        text = source.read_text(encoding="utf-8").replace(f"short: {source.stem}\n", f"short: {key}\n", 1)
        first.append(put(f"_people/{key}.md", text.encode()))
    commit(first, "The site's people")
    for step in sorted(events):
        lines = []
        for kind, i in events[step]:
            if kind == "other":
                commit([put(f"_posts/post-{step:05d}.md", f"A post of step {step}.\n".encode())], "A post")
                continue
            path = f"_podcast/{names[i][current[i]]}.md"
            if kind == "add":
                lines.append(put(path, texts[i]))
            elif kind == "rename":
                current[i] += 1
                new = f"_podcast/{names[i][current[i]]}.md"
                lines.append(f"R {path} {new}\n".encode())
                if rng.random() < 0.3:  # renamed and edited in one commit, as a rename with a new title
                    texts[i] += f"\nRenamed at step {step}.\n".encode()
                    lines.append(put(new, texts[i]))
            else:
                texts[i] += f"\nEdited at step {step}.\n".encode()
                lines.append(put(path, texts[i]))
        if lines:
            commit(lines, f"Episodes, step {step}")
    assert all(current[i] == len(names[i]) - 1 for i in range(episodes))
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=out.getvalue(), check=True)
    git(root, "reset", "-q", "--hard", "main")
    return commits


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
    parser.add_argument("--renames", type=int, default=584, help="renames of episode files in the history")
    parser.add_argument("--edits", type=int, default=600, help="edits of episode files in the history")
    parser.add_argument("--other-commits", type=int, default=1500, help="commits touching other folders")
    args = parser.parse_args()
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        sys.exit(f"bench: the shared corpus is not at {corpus}")
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    setup(work)

    import yaml
    from django.db import connection

    from episodes import search_index
    from episodes.documents import git as site_git
    from episodes.models import (
        BodyLink,
        Episode,
        EpisodeGuest,
        EpisodeRedirect,
        EpisodeTopic,
        Person,
        PersonRedirect,
        PlatformRef,
        Revision,
        SiteFile,
        SiteState,
        Speaker,
        TranscriptItem,
    )
    from episodes.services import episode_save, importing
    from episodes.services import site as site_sync
    from episodes.services.site import history

    repo = work / "site"
    history_size = {"renames": args.renames, "edits": args.edits, "other_commits": args.other_commits}
    commits = build_site(repo, corpus, args.episodes, args.people, **history_size)
    files = sorted((repo / "_podcast").glob("*.md")) + sorted((repo / "_people").glob("*.md"))

    def floor_load():
        for path in files:
            text = path.read_bytes().decode("utf-8")
            end = text.index("\n---", 3)
            yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader)  # noqa: S506 - the C safe loader

    def empty_database():
        tables = (
            Revision,
            TranscriptItem,
            BodyLink,
            PlatformRef,
            EpisodeGuest,
            EpisodeTopic,
            Speaker,
            SiteFile,
            SiteState,
        )
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

    def walk():
        site = site_git.Repo.open(str(repo))
        history.history_walk(site, head=site.head(), since="")

    floors, pulls, imports, walks = Times(), Times(), Times(), Times()
    for _ in range(args.repeat):
        floors.run(floor_load)
        walks.run(walk)
        empty_database()
        imports.run(plain_import)
        empty_database()
        pulls.run(pull)
    counts = (Episode.objects.count(), Person.objects.count())
    redirects = EpisodeRedirect.objects.count()
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
    print(f"  history: {commits} commits, {args.renames} renames and {args.edits} edits of episode files")
    print(f"  redirects from earlier names after the pull: {redirects}")
    print(f"floor, C-libyaml load of every file: {floors.line()}")
    print(f"pull into a fresh database:          {pulls.line()}")
    for kind in ("cpu", "wall"):
        best, paired = best_and_median(getattr(pulls, kind), getattr(floors, kind))
        print(f"  pull / floor ({kind}): {best:.2f}x best over best, {paired:.2f}x median side by side")
    print("  (budget 3x with the rename history, issue 18; 2.5x without it, issue 11; goal 1.5x)")
    best, paired = best_and_median(walks.cpu, floors.cpu)
    print(f"  of which the history walk (git log -M and following renames): {walks.line()}; {best:.2f}x the floor")
    best, paired = best_and_median(imports.cpu, floors.cpu)
    print(f"  for reference, import_episodes of the same files: {imports.line()}; {best:.2f}x the floor (cpu)")
    print(f"second pull, nothing new:            {seconds.line()}   (budget 0.5 s)")
    print(f"push of one edited episode:          {pushes.line()}   (budget 1 s)")
    print(f"last push's diff (added, removed, file): {changed}")
    connection.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
