"""Find and replace's preview over the whole archive, against a floor measured in the same run.

    .venv/bin/python bench/replace.py [--repeat 5]

Episodes: every readable file of ../shared/corpus/episodes, imported. Floor: the same two reads of the rows
(episodes, then their transcript items) and Python's ``re.subn`` of the same pattern over the same texts,
nothing else. Ours: ``replace_preview`` over every field (the ``regex`` engine with its time limit, each
match in context, the counts), and the admin page that renders it. Best CPU time of --repeat runs.
"""

import argparse
import contextlib
import re
import shutil

from benchsite import SHARED, best_cpu, corpus_setup  # first: it sets up the import path

SEARCHES = [("plain 'data'", "data", False), ("regex '\\b(\\w+)ing\\b'", r"\b(\w+)ing\b", True)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    corpus = SHARED / "corpus" / "episodes"
    work = corpus_setup(corpus, "replace")
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client

    from episodes.documents.database import episode_extra
    from episodes.format.replacing import Search
    from episodes.models import Episode, TranscriptItem
    from episodes.services.replacing import replace_preview

    try:
        # The corpus keeps a few unreadable files on purpose (the command refuses them): the others are in.
        with contextlib.suppress(CommandError):
            call_command("import_episodes", str(corpus), stdout=io.StringIO(), stderr=io.StringIO())
        episodes = Episode.objects.count()
        items = TranscriptItem.objects.count()
        print(f"{episodes} episodes, {items} transcript items")
        user = get_user_model().objects.create_superuser("bench", password=None)
        client = Client()
        client.force_login(user)
        for label, find, is_regex in SEARCHES:
            pattern = re.compile(find if is_regex else re.escape(find), re.IGNORECASE)

            def floor(pattern=pattern):
                rows = list(Episode.objects.order_by("slug").only("pk", "slug", "title", "short", "extra", "version"))
                texts = list(TranscriptItem.objects.order_by("episode_id", "position").values_list("text", "who"))
                for episode in rows:
                    extra = episode_extra(episode)
                    for text in (episode.title, episode.short, extra.get("description"), extra.get("intro")):
                        if isinstance(text, str):
                            pattern.subn("x", text)
                for text, who in texts:
                    pattern.subn("x", text)
                    pattern.subn("x", who)

            search = Search(find, "x", regex=is_regex)
            found = replace_preview(search=search)

            def ours(search=search):
                replace_preview(search=search)

            def page(find=find, is_regex=is_regex, search=search):
                data = {"find": find, "replace": "x", "fields": list(search.fields), "preview": ""}
                if is_regex:
                    data["regex"] = "1"
                assert client.post("/admin/episodes/episode/replace/", data).status_code == 200

            floor_time, ours_time, page_time = (best_cpu(fn, args.repeat) for fn in (floor, ours, page))
            matches = sum(result.count for result in found)
            print(f"{label}: {matches} matches in {len(found)} episodes")
            print(f"  floor (rows + re.subn):  {floor_time * 1000:8.1f} ms")
            print(f"  replace_preview:         {ours_time * 1000:8.1f} ms  {ours_time / floor_time:.2f}x floor")
            print(f"  the admin page rendered: {page_time * 1000:8.1f} ms  {page_time / floor_time:.2f}x floor")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
