"""Fuzz the importer (mutated real episode files) and the editor (random posts to its operations and page).

    .venv/bin/python bench/fuzz.py [--minutes 5] [--examples 2000] [--seed N] [--target both|import|editor]

Runs the checks of episodes/tests/support/fuzzing.py (an import never raises; a refusal has a line and a message
and keeps nothing; an accepted file exports to the data it was read as) and of fuzzing_editor.py (no post
is a server error; a refusal changes nothing; positions stay dense; no other episode is touched), in
rounds of --examples cases with fresh random seeds, the targets taking turns, until --minutes have passed,
on a fresh SQLite database (or DATABASE_URL's). Stops at the first failure and prints the smallest failing
case hypothesis found, with the seed to replay it; exit 1.
"""

import argparse
import functools
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
    parser.add_argument("--target", choices=["both", "import", "editor"], default="both")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bench-fuzz-")
    try:
        fuzz(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fuzz(args, work: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work}/db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podcast.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "fuzz-only-secret-key")  # the editor's posts need a session
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from hypothesis import HealthCheck, given, seed, settings

    from episodes.tests.support import fuzzing, fuzzing_editor

    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's hosts and a plain static storage
    from django.conf import settings as django_settings

    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", "fuzz-password"))
    targets = ["import", "editor"] if args.target == "both" else [args.target]
    strategies = {
        "import": (fuzzing.cases, fuzzing.check_case),
        "editor": (fuzzing_editor.editor_cases, functools.partial(fuzzing_editor.check_editor_case, client)),
    }
    print(
        f"fuzz: {', '.join(targets)}; {len(fuzzing.BASES)} base files, {args.examples} cases per round, "
        f"{args.minutes} minutes"
    )
    stats = Counter()
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while rounds == 0 or (args.seed is None and time.monotonic() < deadline):
        round_seed = args.seed if args.seed is not None else random.randrange(2**32)
        target = targets[rounds % len(targets)]
        strategy, check = strategies[target]

        options = settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )
        run = seed(round_seed)(options(given(case=strategy)(_checker(check, stats))))

        try:
            run()
        except Exception:
            replay = f"bench/fuzz.py --target {target} --seed {round_seed}"
            print(f"fuzz: FAILED in round {rounds + 1} ({target}; replay: {replay})", file=sys.stderr)
            raise
        rounds += 1
        so_far = ", ".join(f"{v} {k}" for k, v in sorted(stats.items()))
        print(f"fuzz: round {rounds} ({target}, seed {round_seed}) ok; so far {so_far}")
    print(
        f"fuzz: ok, {sum(stats.values())} cases in {rounds} rounds: "
        + ", ".join(f"{v} {k}" for k, v in sorted(stats.items()))
    )


def _checker(check, stats):
    def run(case):
        check(case, stats)

    return run


if __name__ == "__main__":
    main()
