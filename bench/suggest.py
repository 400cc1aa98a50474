"""A suggest_metadata batch against a local fake model answering at once: the time spent outside the model
calls, the queries per accepted suggestion, and what a run over the archive costs.

    .venv/bin/python bench/suggest.py [--episodes 200] [--price-in 0.25] [--price-out 2]

Episodes: the readable files of ../shared/corpus/episodes imported, then copied under new slugs up to
--episodes. Floor: the time inside the model calls (``llm.complete``: the HTTP round trip to the fake server
on 127.0.0.1 and openai's reading of the answer). Ours: the rest of the batch (the plan and its estimate,
prompt building, parsing, checks, saving the suggestions). Budget (issue 23): outside <= 10% of the batch
(about 0.11x the floor); <= 20 queries per accepted suggestion. The archive's cost: the prompts' tokens of
every field of every corpus episode (estimated as characters / 4) and the expected answers' tokens, at the
prices given (default: gpt-5-mini's list prices, US dollars per million tokens).

Measured (2026-12-03, SQLite, 2 shared cores): 1,000 requests over 200 episodes, floor 4,946 ms, outside
5,440 ms = 1.10x the floor, 52% of the batch: over the 10% budget (about 5 ms a request: building the
prompts with Django templates and the transcript's cut, the checks, saving); 19.0 queries per accepted
suggestion (budget 20); the corpus 664,907 + 36,080 tokens, $0.24 at $0.25 / $2.
"""

import argparse
import time
from decimal import Decimal

from benchsite import SHARED, corpus_setup  # first: it sets up the import path

ANSWERS = {
    "Split this podcast": "00:00:00 Welcome\n00:05:00 Background\n00:15:00 The main topic\n00:40:00 Advice",
    "Write the title": "Running Machine Learning in a Small Team",
    "meta description": "How a small team runs machine learning in production: what to automate first, which tools "
    "to pick, and the habits that matter more than any tool.",
    "introduction": " ".join(["word"] * 170),
    "Choose": "MLOps\nCareer\nTools",
}


def answer(request: dict) -> str:
    prompt = request["messages"][-1]["content"]
    return next(text for marker, text in ANSWERS.items() if marker in prompt)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--price-in", default="0.25")
    parser.add_argument("--price-out", default="2")
    args = parser.parse_args()
    corpus = SHARED / "corpus" / "episodes"
    corpus_setup(corpus, "suggest")
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from episodes import llm
    from episodes.format import suggesting
    from episodes.models import Episode
    from episodes.results import CREATED, UPDATED
    from episodes.services import importing, suggestions
    from episodes.tests.support.fake_model import FakeModel

    settings.DEBUG = False
    sources = sorted(corpus.glob("*.md"))
    texts = [p.read_bytes() for p in sources]
    done = 0
    while done < args.episodes:
        for path, raw in zip(sources, texts, strict=True):
            if done >= args.episodes:
                break
            slug = f"{path.stem}-{done}"
            source = importing.Source(f"{slug}.md", f"{slug}.md", len(raw), lambda raw=raw: raw)
            if importing.import_source(source).status in (CREATED, UPDATED):
                done += 1
    count = Episode.objects.count()
    server = FakeModel()
    server.answer = answer
    settings.AI_BASE_URL, settings.AI_MODEL = server.url, "fake-model"
    settings.AI_PRICE_INPUT_PER_MTOK, settings.AI_PRICE_OUTPUT_PER_MTOK = args.price_in, args.price_out

    inside = [0.0]
    complete = llm.complete

    def timed_complete(config, messages, **kwargs):
        start = time.perf_counter()
        try:
            return complete(config, messages, **kwargs)
        finally:
            inside[0] += time.perf_counter() - start

    slugs = list(Episode.objects.order_by("slug").values_list("slug", flat=True))
    fields = list(suggesting.FIELDS)
    start = time.perf_counter()
    plan = suggestions.batch_plan(slugs=slugs, fields=fields, force=True)
    report = suggestions.batch_run(plan, ask=timed_complete)
    total = time.perf_counter() - start
    outside = total - inside[0]
    print(f"Batch over {count} episodes, {plan.requests} requests (all five fields, for review):")
    print(f"  floor (inside the model calls)  {inside[0] * 1000:9.0f} ms")
    print(f"  ours (outside the model calls)  {outside * 1000:9.0f} ms  = {outside / inside[0]:.2f}x the floor, "
          f"{outside / total:.1%} of the batch (budget 10%)")  # fmt: skip
    print(f"  {report.summary()}")

    inside[0] = 0.0
    plan = suggestions.batch_plan(fields=["description"], missing=True)
    Episode.objects.update(extra="")  # every description empty, so that each can be accepted
    plan = suggestions.batch_plan(fields=["description"])
    with CaptureQueriesContext(connection) as queries:
        report = suggestions.batch_run(plan, accept=True, ask=timed_complete)
    accepted = report.count(suggestions.ACCEPTED)
    print(f"Accept run: {accepted} descriptions accepted, {len(queries)} queries = "
          f"{len(queries) / max(accepted, 1):.1f} per accepted suggestion (budget 20)")  # fmt: skip

    Episode.objects.all().delete()
    for path, raw in zip(sources, texts, strict=True):
        importing.import_source(importing.Source(path.name, path.name, len(raw), lambda raw=raw: raw))
    corpus_plan = suggestions.batch_plan(
        slugs=list(Episode.objects.values_list("slug", flat=True)), fields=fields, force=True
    )
    price_in, price_out = Decimal(args.price_in), Decimal(args.price_out)
    cost = (corpus_plan.input_tokens * price_in + corpus_plan.output_tokens * price_out) / 1_000_000
    print(f"The corpus ({Episode.objects.count()} episodes, every field): {corpus_plan.input_tokens:,} input + "
          f"{corpus_plan.output_tokens:,} output tokens (characters / 4; answers as expected per field) = "
          f"${cost:.2f} at ${price_in}/${price_out} per million tokens; "
          f"${cost / max(Episode.objects.count(), 1):.4f} an episode")  # fmt: skip
    server.stop()


if __name__ == "__main__":
    main()
