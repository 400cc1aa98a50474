"""Peak memory of a pull whose commit brings many big files, or one file over the limit (issue 24).

    .venv/bin/python bench/pull_memory.py [--files 40] [--mb 9.9] [--big-mb 100] [--project DIR]

Builds throwaway site repositories (git init; episode files made of the seed episode's front matter and a
long prose body) and runs ``manage.py sync_site pull`` on each in a child process on a fresh SQLite
database, printing the child's peak resident memory:

- floor: a repository holding the seed episode alone (Django, the import, git);
- one: one file of --mb MB (what reading and importing one such file costs);
- many: --files files of --mb MB (read one at a time, this stays near "one"; holding them all costs
  about --files x --mb MB more);
- refused: one file of --big-mb MB, over EPISODES_MAX_FILE_BYTES (sized from the tree and never read:
  near the floor).

--project runs another checkout's manage.py (e.g. a worktree of an older commit) for a before/after.
Bar: "many" within 10 x --mb MB of "one" (not growing with the number of files: holding them would add
(--files - 1) x --mb MB), "refused" within 20 MB of the floor.

Measured (2 busy cores, SQLite, 40 x 9.9 MB and 100 MB), peak MB floor / one / many / refused:
before (34e38ed, every changed file read whole first and kept): 77 / 191 / 597 / 172 (many +406, refused
+95); after: 78 / 201 / 258 / 78 (many +57, refused +0).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "episodes" / "demo" / "s10e03-mlops-architect.md"
# Runs a script and reports the process's own peak resident memory when it exits, however it exits.
PEAK = (
    "import atexit, resource, runpy, sys; "
    "atexit.register(lambda: print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); "
    "sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)
LINE = "Some words about the episode, written at length by somebody with a lot to say.\n"


def write_episode(path: Path, megabytes: float) -> None:
    """Write an episode of about ``megabytes`` MB, a little at a time.

    This process stays small: a child started from it begins with its peak resident memory (vfork, exec).
    """
    front = SEED.read_text(encoding="utf-8").split("\n---\n", 1)[0] + "\n---\n\n"
    lines = max(0, (int(megabytes * 1e6) - len(front)) // len(LINE))
    with open(path, "w", encoding="utf-8") as f:
        f.write(front)
        for start in range(0, lines, 10_000):
            f.write(LINE * min(10_000, lines - start))


def make_repo(path: Path, files: dict[str, float | None]) -> None:
    """Make a site repository of ``files``: {name: size in MB, or None for the seed episode as it is}."""
    (path / "_podcast").mkdir(parents=True)
    (path / "_people").mkdir()
    for name, megabytes in files.items():
        if megabytes is None:
            shutil.copyfile(SEED, path / "_podcast" / name)
        else:
            write_episode(path / "_podcast" / name, megabytes)
    git = ["git", "-C", str(path), "-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The site"], check=True)


def pull_peak(project: Path, repo: Path, database: Path, template: Path, env: dict) -> tuple[float, str]:
    """Run a pull of ``repo`` on a copy of the migrated ``template``; return (peak MB, its summary line)."""
    shutil.copyfile(template, database)
    done = subprocess.run(
        [sys.executable, "-c", PEAK, "manage.py", "sync_site", "pull", "--repo", str(repo), "-v", "0"],
        env={**env, "DATABASE_URL": f"sqlite:///{database}"},
        cwd=project,
        capture_output=True,
        text=True,
    )
    peak = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB ")]
    if done.returncode not in (0, 1) or not peak:
        sys.exit(f"bench: the pull failed:\n{done.stderr[-2000:]}")
    said = (done.stdout.strip().splitlines() or [""])[-1]
    return int(peak[0]) / 1024, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--mb", type=float, default=9.9)
    parser.add_argument("--big-mb", type=float, default=100)
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout whose manage.py runs the pulls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        env = {**os.environ, "DJANGO_SECRET_KEY": "bench-only-secret-key"}
        template = work / "migrated.sqlite3"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            env={**env, "DATABASE_URL": f"sqlite:///{template}"},
            cwd=args.project,
            check=True,
        )
        scenes = {
            "floor": {"seed.md": None},
            "one": {"seed.md": None, "big-0.md": args.mb},
            "many": {"seed.md": None, **{f"big-{i}.md": args.mb for i in range(args.files)}},
            "refused": {"seed.md": None, "huge.md": args.big_mb},
        }
        peaks = {}
        for name, files in scenes.items():
            make_repo(work / name, files)
            peaks[name], said = pull_peak(args.project, work / name, work / f"{name}.sqlite3", template, env)
            print(f"{name:8} {len(files):3} file(s): peak {peaks[name]:7.0f} MB   {said}")
            shutil.rmtree(work / name)
        print(
            f"many - one: {peaks['many'] - peaks['one']:+.0f} MB for {args.files - 1} more files of {args.mb} MB "
            f"(bar {10 * args.mb:.0f}); refused - floor: {peaks['refused'] - peaks['floor']:+.0f} MB "
            f"for a {args.big_mb:.0f} MB file (bar 20)"
        )


if __name__ == "__main__":
    main()
