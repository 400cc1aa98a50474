"""A suggest_metadata batch against a local fake model answering at once: the time spent outside the model
calls, the queries per accepted suggestion, and what a run over the archive costs.

    .venv/bin/python bench/suggest.py [--episodes 200] [--runs 3] [--server both|process|thread]
                                      [--price-in 0.25] [--price-out 2]
    sh scripts/with-postgres.sh .venv/bin/python bench/suggest.py ...   # the same on a throwaway PostgreSQL

Episodes: the readable files of ../shared/corpus/episodes imported, then copied under new slugs up to
--episodes. Floor: the time inside the model calls (``llm.complete``: the HTTP round trip to the fake server
on 127.0.0.1 and openai's reading of the answer). The fake server (the tests' FakeModel, same answers and
token counts) runs in a process of its own, as a local model server (Ollama, vLLM, llama.cpp) does: that is
the budget's figure. ``--server thread`` runs it as threads of the bench's process instead (as before
2026-12-03's third cut), where its work after each answer (finishing the request, closing the connection)
holds the interpreter while the batch goes on, and counts as ours; ``both`` (the default) alternates the two
setups' runs and prints each. Ours: the rest of the batch (the plan and its estimate,
prompt building, parsing, checks, saving the suggestions). Budget (issue 23): outside <= 10% of the batch
(about 0.11x the floor); <= 20 queries per accepted suggestion. The archive's cost: the prompts' tokens of
every field of every corpus episode (estimated as characters / 4) and the expected answers' tokens, at the
prices given (default: gpt-5-mini's list prices, US dollars per million tokens).

Each transcript's digest for the prompts (episodes.format.transcript_digest) is stored when it is imported; the
first batch runs without any (cold: each made from the items during the batch, as right after the migration
that added them, or for episodes edited since), the others with them all (warm, the steady state).

Time: wall time, the best of --runs batches per setup (the machine is shared); "ours in CPU time" is this thread's CPU
time outside the calls, which the machine's other work disturbs less.

Measured (2026-12-03, SQLite, 2 shared cores at a load of 5-6 from other work), 1,000 requests over 200
episodes, this script run back to back on the code before and after the cut:
  before (prompts rendered by Django's template engine, inputs read and suggestions saved one by one):
    floor 26,485 ms, outside 25,071 ms = 0.95x the floor, 48.6% of the batch; our CPU time 6.82 ms a request.
  after (string.Template prompts compiled once, the batch's inputs in two queries a hundred episodes, each
  turn's line made once for every field, the transcript's cut measured without building text, checks on the
  field alone, suggestions saved together): floor 18,838 ms, outside 7,915 ms = 0.42x the floor, 29.6% of
  the batch; our CPU time 2.21 ms a request (3.1x less). The wall times are the load's more than ours (the
  thread waits for a core 3.6x as long as it computes). Still over the 10% budget: our CPU time is 0.29x
  the floor measured earlier on a quieter machine (7,568 ms), about 23% of such a batch.
  19.0 queries per accepted suggestion (budget 20). The corpus: 664,967 + 36,080 tokens, $0.24 at $0.25 / $2.

Measured again (2026-12-03, SQLite, load average 5-7 from other work), `bench/suggest.py --runs 3` on the code
before and after this cut, back to back, twice:
  before: outside 24.2% and 20.8% of the batch (floor 6,297 and 5,756 ms); CPU time outside, every run:
    1,370-1,726 and 993-1,292 ms.
  after (the turns' lines stamped from a table made once, instructions looked for in the UTF-8 bytes, the
  transcript's cut bracketed by average word lengths and measured only near the W that fits, the chapter
  checks on the headers and the turns starting them, the turns' times and opening read once an episode, what
  waited replaced by id): outside 18.1% and 19.0% (floor 5,329 and 4,518 ms); CPU time outside 985-1,017 and
  1,033-1,470 ms. On a quiet machine (load 0.4, before): floor 5,487 ms, outside 1,590 ms = 22.5%.
  The wall figures move with the load more than with the code: compared in one process, alternating the old
  and the new text functions, planning the batch takes 530-555 ms before and 468-492 ms after (the turns'
  lines 100 -> 68 ms, the instruction search 76 -> 59, the cut 140 -> 117); with an answer made in process (no
  HTTP), asking and saving 1,000 suggestions takes about 370 ms of CPU. Still over the 10% budget: what is
  left is per character of the 8.4 MB of transcript that the chapters prompts are cut from (read from SQLite
  about 70 ms, printable check 26, instruction search 59, word counts and cut 117, lines 68) and per row of
  Django's bulk insert (about 120 us a suggestion, 125 ms) and of the checks (the intro's word count 94 us).
  The floor is openai's client call as the batch makes it: 3.8-4.4 ms of this thread's CPU a request (its
  request building and answer parsing), the fake server answering from other threads of this process; the
  gap between "outside" and our CPU time is mostly those threads holding the interpreter.
  19.0 queries per accepted suggestion (budget 20), unchanged.

Measured a third time (2026-12-03 23:09-23:12, SQLite, load average 1.5-1.9 from other work),
`bench/suggest.py --runs 4` (both setups, alternated) on main before this cut (d4780c4, with this script) and
after, back to back, twice; "share" is the share outside of the least disturbed run, then every run's:
  fake model in a process of its own (the budget's figure):
    before: 23.6% and 25.0% (18.9-26.3%), floor 2,810 and 2,385 ms; least CPU outside 0.85 and 0.73 ms a request.
    after:  23.0% and 20.8% (17.1-23.0%), floor 2,436 and 2,600 ms; least CPU outside 0.71 and 0.66 ms a request.
  fake model in threads of this process (as before):
    before: 21.7% and 22.3% (19.0-22.5%); least CPU outside 0.89 and 0.72 ms a request.
    after:  20.9% and 20.5% (17.8-21.4%); least CPU outside 0.66 and 0.62 ms a request.
  answers made in this thread (no HTTP): our CPU 759 and 646 ms before, 578 and 570 ms after.
  The server's own process changes nothing beyond the noise: outside the calls, wall time passes CPU time by
  15-35 ms in either setup. The gap of the earlier rounds (7.9 s wall, 2.2 s CPU) was the machine's load (the
  thread waiting for a core), not the server's threads. What this cut took off (in-process figures, best of
  5): the collector's full passes over the whole process during a batch, about 100-130 ms (the batch's plan
  and run now leave the older objects out, gc.freeze); smaller: an answer's quotes looked at before its inside
  is copied, the chapter lines made once a material, the turns' loop. (A hand-written INSERT ... RETURNING
  in place of bulk_create took the insert from 70-87 to 27-32 ms; it was taken back out on review: a copy of
  Django's bulk insert for about 2% of the batch, which still misses the budget by half.)
  Still over the 10% budget: at 2.4-2.8 ms a request of floor, 10% is about 0.3 ms a request of ours, and we
  spend 0.66-0.71 with HTTP between (0.57 with answers made in process: each client call leaves the caches
  cold for the code after it). What is left, in process: the plan about 415 ms (the turns read 105, of which
  SQLite's rows 65; the turns' lines 67; the instruction search 72, of which the UTF-8 copy and lowering 15
  and six finds 29; the chapters' cut 115, of which the word counts and measuring 100; the other prompts 40),
  the run about 145 ms (parsing, checks and the model's objects 115; the insert 27, 70-87 with bulk_create).
  The next step is a stored digest of what the prompts need per episode (its lines, word counts and
  instruction places), kept current by every transcript write: not done here, as the transcript's write
  paths are others' ground this round.
  18.0 queries per accepted suggestion (budget 20).

Measured a fourth time (2026-12-04 03:31-04:16, SQLite, load average 0.8-2.0 from other work: floors 4.2-4.5 s,
not the 2.4-2.8 s of a quiet machine), `bench/suggest.py --runs 3 --server process`:
  before (main at cdcfc51): 23.0% (18.4-24.3%), least CPU outside 1.25 ms a request; answers made in process
    0.99 ms a request.
  after (stored digests: the prompts' lines as one text, each turn's time, the sections and their chapter
  lines, the instruction places, and the transcript's length at every cut, so the cut is a bisection and the
  batch reads no turn; the answers of an episode made into suggestions after its last request, where the code
  after each request ran with the caches the model's client left cold; templates filled by str.format_map;
  numbers packed, not JSON):
    warm: 12.1% (11.3-13.0%) and 14.3% (11.9-14.3%), least CPU outside 0.55 and 0.64 ms a request; answers
    made in process 0.36-0.39 ms a request (the plan 140-170 ms, of which the digests read 30; the run
    270-310 ms, of which the insert 100-120).
    cold (one run, the process's first): 21.1%, CPU 1,375 ms (each digest made and stored during it).
  Still over the 10% budget on this loaded machine: what is left is Django's bulk insert (about 0.1 ms a
  suggestion), the editorial checks and parsing (about 0.08 ms with HTTP between), and reading 8.9 MB of
  lines from SQLite (10-17 ms). An edit leaves the episode's digest stale (the editor's save of one turn of
  3,000 is at its 20-query budget, and storing it would be the 21st): the next batch makes it again.
  18.0 queries per accepted suggestion (budget 20).

Measured a fifth time (2026-12-04 15:43-16:07, SQLite, load average 0.5-1.1; the floors moved from 1.7 to 3.2 s
between runs with the machine's speed), `bench/suggest.py --runs 3 --server process`, before and after each cut:
  before (main at 81136e4): 14.4% (prior session, quiet) and 16.6% (18.2, 17.3, 16.6), CPU outside 0.67 ms a
    request.
  answers made into suggestions together when saved (at most every second, was a quarter, and after each
    episode): 12.0% (12.8, 12.6, 12.0); the episodes' columns read only as the batch needs them, the rows
    saved by one INSERT ... RETURNING with only the values that need it prepared: 10.4% (10.4, 10.8, 10.7) and
    9.5% (9.2, 10.3, 9.5); the typography and word count shortcuts, each field's value and each answer's
    cost read once, costs counted when the answers are made, the waiting suggestions read unsorted: 10.0%
    (9.3, 11.5, 10.0) with the floor at 2.0 s, 7.3% (8.7, 8.2, 7.3) at 2.6 s and 8.8% (8.8, 9.0, 9.0) at 3.2 s.
    CPU time outside 0.20-0.31 ms a request; answers made in process 0.17-0.24 ms.
  Tried and taken out: the requests made by a thread of their own while the batch worked on the answers before
  (one in flight at a time). The floor is the model's client's own CPU time (2.1 of 2.2 s), so the two threads
  took turns at the interpreter: the calls took 20-30% longer and the share outside rose to 16.6%.
  What is left (in process, about 175-200 ms): the plan about 90 ms (the digests read 21, the prompts 32-40,
  the topics, the waiting suggestions and the episodes 10), the suggestions made 50-55 (Django's model
  constructor about 18 us each, the checks 20, parsing 16), their saves 35-40 (the insert 23-25), the loop 15.
  18.0 queries per accepted suggestion (budget 20).

Measured a sixth time (2026-12-04 20:30-21:10, load average 0.6-1.2, floors 1.5-2.4 s), `bench/suggest.py --runs 3
--server process`:
  SQLite, before (main at 8e4f671): 9.8% (8.5, 9.8, 8.9), CPU outside 189 ms.
  SQLite, after (the insert reads each row in one step and the connection's alias once; a chapter's time written
    only for a warning; the insert and the replacing in one transaction): every run of twelve rounds 7.7-9.9%
    (best of each 7.9-9.2%), CPU outside 155-227 ms, answers made in process 154-174 ms.
  PostgreSQL (sh scripts/with-postgres.sh), before: 13.3-13.4% (CPU outside 190-205 ms: psycopg read the
    insert's 17,000 placeholders in Python, 40-60 ms; the server undid the digests' compression, 30 ms).
  PostgreSQL, after (the insert with one binary array a column; the digests stored uncompressed; one commit
    for the save): 10.1-12.5% in four rounds, CPU outside 162-192 ms, as SQLite's. Over the budget by the
    server's own time, which the batch waits for: the insert of 1,000 rows and their six indexes (25 ms),
    the 1,000 rows they replace (16), the digests' 9 MB (14-20) and the commit (6).
  18.0 queries per accepted suggestion (budget 20), on both.
"""

import argparse
import gc
import shutil
import subprocess
import sys
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
SERVERS = {"process": "a process of its own", "thread": "threads of this process"}


def answer(request: dict) -> str:
    prompt = request["messages"][-1]["content"]
    return next(text for marker, text in ANSWERS.items() if marker in prompt)


def serve() -> None:
    """Run the fake model (answers from ``answer``) until stdin closes; print its address first."""
    from episodes.tests.support.fake_model import FakeModel

    server = FakeModel()
    server.answer = answer
    print(server.url, flush=True)
    sys.stdin.read()
    server.stop()


class Servers:
    """The fake model as the setups asked for: in a process of its own (as a local model server is), and as
    threads of this process (its work after each answer then competes with the batch for the interpreter)."""

    def __init__(self, kinds: list[str]):
        from episodes.tests.support.fake_model import FakeModel

        self.urls, self.thread, self.process = {}, None, None
        if "thread" in kinds:
            self.thread = FakeModel()
            self.thread.answer = answer
            self.urls["thread"] = self.thread.url
        if "process" in kinds:
            command = [sys.executable, __file__, "--serve"]
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.urls["process"] = self.process.stdout.readline().strip()
            if not self.urls["process"]:
                sys.exit(f"bench: the fake model's process did not start (exit status {self.process.wait()})")

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--price-in", default="0.25")
    parser.add_argument("--price-out", default="2")
    parser.add_argument("--runs", type=int, default=3, help="batches timed per setup; the least disturbed one is shown")
    parser.add_argument(
        "--server", choices=["process", "thread", "both"], default="both",
        help="where the fake model runs: a process of its own (the budget's), threads of this one, or both "
        "(their runs alternate)",
    )  # fmt: skip
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the fake model's own process
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    corpus = SHARED / "corpus" / "episodes"
    work = corpus_setup(corpus, "suggest", keep_postgres=True)
    from django.db import connection

    try:
        measure(args, corpus)
    finally:
        if connection.vendor == "postgresql":
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        shutil.rmtree(work, ignore_errors=True)


def measure(args, corpus) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from episodes import llm
    from episodes.format import suggesting
    from episodes.models import Episode, PromptDigest
    from episodes.results import CREATED, UPDATED
    from episodes.services import importing, suggestions

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
    kinds = ["process", "thread"] if args.server == "both" else [args.server]
    servers = Servers(kinds)
    settings.AI_MODEL = "fake-model"
    settings.AI_PRICE_INPUT_PER_MTOK, settings.AI_PRICE_OUTPUT_PER_MTOK = args.price_in, args.price_out

    inside = [0.0, 0.0]  # the calls' wall time and CPU time
    complete = llm.complete

    def timed_complete(config, messages, **kwargs):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return complete(config, messages, **kwargs)
        finally:
            inside[0] += time.perf_counter() - start
            inside[1] += time.thread_time() - cpu

    slugs = list(Episode.objects.order_by("slug").values_list("slug", flat=True))
    fields = list(suggesting.FIELDS)

    def answered_here(config, messages, **kwargs):
        """Answer as the fake model does, in this thread: no HTTP, no client (our work alone, caches warm)."""
        return llm.Reply(answer({"messages": messages}), 100, 20, config.model)

    # Cold: no stored digest (as right after the migration that added them): the batch makes each one from the
    # episode's items, and stores it. After an import, or such a batch, they are there: the runs below.
    PromptDigest.objects.all().delete()
    settings.AI_BASE_URL = servers.urls[kinds[0]]
    inside[:] = [0.0, 0.0]
    gc.collect()
    start = time.perf_counter()
    plan = suggestions.batch_plan(slugs=slugs, fields=fields, force=True)
    suggestions.batch_run(plan, ask=timed_complete)
    cold_total = time.perf_counter() - start
    cold = (cold_total - inside[0], cold_total)
    runs: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in kinds}
    here: list[float] = []
    for _ in range(args.runs):
        settings.AI_BASE_URL = servers.urls[kinds[0]]  # named, not asked
        gc.collect()
        cpu = time.thread_time()
        plan = suggestions.batch_plan(slugs=slugs, fields=fields, force=True)
        suggestions.batch_run(plan, ask=answered_here)
        here.append(time.thread_time() - cpu)
        for kind in kinds:  # alternated, so that both setups meet the machine's other work alike
            settings.AI_BASE_URL = servers.urls[kind]
            inside[:] = [0.0, 0.0]
            gc.collect()
            start, cpu = time.perf_counter(), time.thread_time()
            plan = suggestions.batch_plan(slugs=slugs, fields=fields, force=True)
            report = suggestions.batch_run(plan, ask=timed_complete)
            total, own_cpu = time.perf_counter() - start, time.thread_time() - cpu - inside[1]
            runs[kind].append((total, inside[0], own_cpu))
    print(f"Batch over {count} episodes ({connection.vendor}), {plan.requests} requests (all five fields, for "
          f"review), best of {args.runs}:")  # fmt: skip
    print(f"Cold, no digest stored (made during the batch), the fake model in {SERVERS[kinds[0]]}, one run: "
          f"outside the calls {cold[0] * 1000:.0f} ms = {cold[0] / cold[1]:.1%} of the batch")  # fmt: skip
    print("Warm, every digest stored (as after an import), each setup:")
    for kind in kinds:
        total, floor, own_cpu = min(runs[kind])  # the run least disturbed by the machine's other work
        outside = total - floor
        print(f"The fake model in {SERVERS[kind]}:")
        rows = [
            ("the batch", total, ""),
            ("floor: the model calls in it", floor, f"  (the client's CPU {inside[1] * 1000:.0f} ms in the last run)"),
            ("outside the model calls", outside, f"  = {outside / total:.1%} of the batch (budget 10%)"),
            ("ours in CPU time", own_cpu, f"  = {own_cpu * 1000 / plan.requests:.2f} ms a request"),
        ]
        for label, value, after in rows:
            print(f"  {label:<34} {value * 1000:9.0f} ms{after}")
        shares = ", ".join(f"{(t - f) / t:.1%}" for t, f, _ in runs[kind])
        cpus = ", ".join(f"{c * 1000:.0f}" for _, _, c in runs[kind])
        print(f"  every run's share outside: {shares}; CPU time outside: {cpus} ms")
    every = ", ".join(f"{c * 1000:.0f}" for c in here)
    print(f"Answers made in this thread (no HTTP): our CPU time {min(here) * 1000:.0f} ms = "
          f"{min(here) * 1000 / plan.requests:.2f} ms a request; every run's: {every} ms")  # fmt: skip
    print(f"  {report.summary()}")

    settings.AI_BASE_URL = servers.urls[kinds[0]]
    inside[:] = [0.0, 0.0]
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
    servers.stop()


if __name__ == "__main__":
    main()
