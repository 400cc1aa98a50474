"""Fuzz the importer for minutes with mutated real episode files (the seed, and ../shared/corpus if present).

    .venv/bin/python bench/fuzz.py [--minutes 5] [--examples 2000] [--seed N]

Runs the checks of episodes/tests/fuzzing.py (never raises; a refusal has a line and a message and keeps
nothing; an accepted file exports to the data it was read as) in rounds of --examples cases with fresh
random seeds until --minutes have passed, on a fresh SQLite database (or DATABASE_URL's). Stops at the
first failure and prints the smallest failing case hypothesis found, with the seed to replay it; exit 1.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The project first: a module in bench/ must never shadow an installed package.
sys.path[0] = str(ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--examples", type=int, default=2000, help="cases per round")
    parser.add_argument("--seed", type=int, help="replay one round with this seed")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bench-fuzz-")
    try:
        fuzz(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fuzz(args, work: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work}/db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podcast.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from hypothesis import HealthCheck, given, seed, settings

    from episodes.tests import fuzzing

    call_command("migrate", verbosity=0)
    print(f"fuzz: {len(fuzzing.BASES)} base files, {args.examples} cases per round, {args.minutes} minutes")
    stats = Counter()
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while rounds == 0 or (args.seed is None and time.monotonic() < deadline):
        round_seed = args.seed if args.seed is not None else random.randrange(2**32)

        @seed(round_seed)
        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )
        @given(case=fuzzing.cases)
        def run(case):
            fuzzing.check_case(case, stats)

        try:
            run()
        except Exception:
            print(f"fuzz: FAILED in round {rounds + 1} (replay: bench/fuzz.py --seed {round_seed})", file=sys.stderr)
            raise
        rounds += 1
        print(f"fuzz: round {rounds} (seed {round_seed}) ok; so far " + ", ".join(f"{v} {k}" for k, v in stats.items()))
    print(
        f"fuzz: ok, {sum(stats.values())} imports in {rounds} rounds: "
        + ", ".join(f"{v} {k}" for k, v in stats.items())
    )


if __name__ == "__main__":
    main()
