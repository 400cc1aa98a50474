"""Peak memory and time of a dry run over a zip that unpacks to gigabytes (issue 9, item 1).

    .venv/bin/python bench/archive_memory.py [--members 300] [--mb 10]

Builds a zip of --members episode files of about --mb MB each (the seed episode's front matter and a long
prose body, or with --links a Links: list of 120,000 lines; either compresses to a few MB), then runs
``manage.py import_episodes --dry-run`` on it in a child process on a fresh SQLite database, with the
archive limits raised so that it is read. Prints the child's peak resident memory and time, and a floor
measured in the same run: a child that only unpacks every member with zipfile. Bar: under 400 MB and
under 60 s (it was 3.2 GB and 40 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "episodes" / "demo" / "s10e03-mlops-architect.md"

UNPACK_ONLY = """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zf:
    for info in zf.infolist():
        with zf.open(info) as member:
            member.read()
"""
# Runs a script and reports the process's own peak resident memory when it exits, however it exits: VmHWM,
# the high-water mark of this program's own memory. Not ru_maxrss: Linux carries it across exec, so a child
# started by a parent of 160 MB would report 160 MB for doing nothing.
PEAK = (
    "import atexit, resource, runpy, sys\n"
    "def peak():\n"
    "    try:\n"
    "        with open('/proc/self/status') as f:\n"
    "            return next(int(l.split()[1]) for l in f if l.startswith('VmHWM:'))\n"
    "    except (OSError, StopIteration):\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: print('PEAK_KB', peak(), file=sys.stderr))\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def build(path: Path, members: int, megabytes: int, *, links: bool = False) -> int:
    front = SEED.read_text(encoding="utf-8").split("\n---\n", 1)[0] + "\n---\n"
    if links:  # a Links: list of 120,000 lines per file: each becomes a row
        line = '* [A link to read](https://example.com/some/long/path/to/a/page){:target="_blank"}\n'
    else:  # prose: the body is kept as text
        line = "Some words about the episode, written at length by somebody with a lot to say.\n"
    # Decimal megabytes: each file stays under the 10 MiB per-file limit, as in the report.
    body = ("\nLinks:\n\n" if links else "\n") + line * ((megabytes * 1000 * 1000 - len(front)) // len(line))
    text = (front + body).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for index in range(members):
            zf.writestr(f"episode-{index:04d}.md", text)
    return len(text)


def run_child(script: str, *args: str, env: dict) -> tuple[float, float, int]:
    """Run ``script`` in a child process; return (seconds, its peak resident memory in MB, its exit status)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, script, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    peak = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB ")]
    if done.returncode not in (0, 1) or not peak:
        sys.exit(f"bench: {script} failed:\n{done.stderr[-2000:]}")
    return seconds, int(peak[0]) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--links", action="store_true", help="bodies of link lines (rows) instead of prose")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        archive = work / "big.zip"
        size = build(archive, args.members, args.mb, links=args.links)
        print(
            f"archive: {args.members} members of {size / 1e6:.1f} MB = {args.members * size / 1e9:.2f} GB unpacked, "
            f"{archive.stat().st_size / 1e6:.1f} MB zipped"
        )
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "DJANGO_SECRET_KEY": "bench-only-secret-key",
            "EPISODES_MAX_ARCHIVE_BYTES": str(10**12),
            "EPISODES_MAX_ARCHIVE_MEMBERS": str(10**6),
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        unpack = work / "unpack.py"
        unpack.write_text(UNPACK_ONLY, encoding="utf-8")
        floor_s, floor_mb, _ = run_child(str(unpack), str(archive), env=env)
        ours_s, ours_mb, _ = run_child(
            "manage.py", "import_episodes", "--dry-run", "--verbosity", "0", str(archive), env=env
        )
        print(f"floor (unpack only):        {floor_s:6.1f} s  peak {floor_mb:7.0f} MB")
        print(f"import_episodes --dry-run:  {ours_s:6.1f} s  peak {ours_mb:7.0f} MB")
        print(f"ratio: time {ours_s / floor_s:.1f}x the unpack floor; bar: under 400 MB and 60 s")


if __name__ == "__main__":
    main()
