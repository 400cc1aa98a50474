"""The editorial rules' speed: check_episodes on site files against the C-libyaml load floor, and one
episode's checks as a save runs them.

    .venv/bin/python bench/checks.py [--repeat 7] [--files 203]

Files: the readable episodes of ../shared/corpus/episodes, copied up to --files (the site had 203) into a
site layout (``_podcast/``, ``_people/``). Floor: reading each file and ``yaml.load`` of its front matter
with CSafeLoader. Ours: what ``check_episodes PATH`` does (read, parse, every rule, the lines of the
findings, the report; its printing to a buffer). Each figure is the best CPU time of --repeat runs,
interleaved. Budget (issue 22): ours <= 2x the floor; one episode's checks on save <= 5 ms; the archive
health page on 4,000 episodes <= 150 ms and <= 10 queries warm (wall time, SQLite, debugging off).
"""

import argparse
import io
import shutil
import time

from benchsite import SHARED, best_cpu, corpus_setup  # first: it sets up the import path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--files", type=int, default=203)
    args = parser.parse_args()
    corpus = SHARED / "corpus"
    work = corpus_setup(corpus, "checks")
    import yaml
    from django.core.management import call_command

    from episodes.format import checks
    from episodes.format import frontmatter as fm
    from episodes.selectors.checks import episode_findings

    try:
        sources = []
        for path in sorted((corpus / "episodes").glob("*.md")):
            try:
                fm.parse(path.read_bytes())
            except fm.FormatError:
                continue
            sources.append(path)
        site = work / "site"
        (site / "_podcast").mkdir(parents=True)
        shutil.copytree(corpus / "people", site / "_people")
        files = []
        for n in range(args.files):
            source = sources[n % len(sources)]
            target = site / "_podcast" / (source.name if n < len(sources) else f"{source.stem}-{n}.md")
            shutil.copyfile(source, target)
            files.append(target)

        def floor():
            for path in files:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8")
                end = text.index("\n---", 3)
                yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader)

        def ours():
            out = io.StringIO()
            call_command("check_episodes", str(site / "_podcast"), stdout=out)

        floor_time = best_cpu(floor, args.repeat)
        ours_time = best_cpu(ours, args.repeat)
        print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
        print(f"floor (read + yaml.load CSafeLoader): {floor_time * 1000:8.1f} ms")
        print(f"check_episodes PATH:                  {ours_time * 1000:8.1f} ms  {ours_time / floor_time:.2f}x floor")

        # One episode's checks as a save runs them: its rows already read, the rules alone.
        documents = {path: fm.parse(path.read_bytes()) for path in sources}
        biggest = max(sources, key=lambda p: len(documents[p].front.get("transcript") or []))
        doc = documents[biggest]
        items = checks.file_items(doc.front)

        class Row:
            pk = 1
            title = doc.front.get("title", "")
            short = doc.front.get("short", "")
            image = doc.front.get("image", "")
            extra = fm.dump({k: v for k, v in doc.front.items() if k not in ("transcript", "title", "short", "image")})

        def one():
            for _ in range(10):
                episode_findings(episode=Row, items=items, guests=[])

        save_time = best_cpu(one, args.repeat) / 10
        print(f"one episode's checks on save ({len(items)} items, {biggest.name}): {save_time * 1000:.2f} ms")
        health_page(args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def health_page(repeat: int, episodes: int = 4000) -> None:
    """Time the archive health page, warm, on ``episodes`` episodes each breaking some rules; count its queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from episodes.format import checks
    from episodes.models import Episode, EpisodeProblem
    from episodes.services.checks import health_snapshot_take

    rules = list(checks.RULES)
    Episode.objects.bulk_create(Episode(slug=f"e{n}", title=f"Episode {n}") for n in range(episodes))
    EpisodeProblem.objects.bulk_create(
        EpisodeProblem(episode_id=pk, rule=rules[i])
        for pk in Episode.objects.values_list("pk", flat=True)
        for i in {pk % len(rules), (pk * 7) % len(rules), (pk // 3) % 4}
    )
    health_snapshot_take(commit="0" * 40)
    user = get_user_model().objects.create_superuser("bench", password=None)
    client = Client()
    client.force_login(user)
    client.get("/admin/episodes/health/")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # Counted as they run (the debug query log is a bounded deque, which the bulk inserts above fill).
    with connection.execute_wrapper(count):
        client.get("/admin/episodes/health/")
    wall = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get("/admin/episodes/health/")
        wall.append(time.perf_counter() - start)
    assert response.status_code == 200
    print(
        f"health page, {episodes} episodes, {EpisodeProblem.objects.count()} problem rows: "
        f"{min(wall) * 1000:.1f} ms best, {sorted(wall)[len(wall) // 2] * 1000:.1f} ms median, "
        f"{len(queries)} queries (budget 150 ms, 10 queries)"
    )


if __name__ == "__main__":
    main()
