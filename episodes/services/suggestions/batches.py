"""Batches of suggestions: plan what to ask for over many episodes (and its cost), then ask, one request at a time."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ... import llm
from ...format.suggesting import CHAPTERS, Material
from ...models import Episode, Job, Suggestion
from ...selectors.checks import check_limits
from ..editing import ServiceError
from .suggest import (
    Ask,
    Asked,
    Prompt,
    SuggestError,
    cost_of,
    current_value,
    episode_material,
    episode_materials,
    model_config,
    prompt_build,
    prompt_templates,
    suggestion_accept,
    suggestion_ask,
    suggestion_from_reply,
    suggestions_save,
    topic_list,
)

ERR_NO_EPISODE = "no episode {slugs}"
SUGGESTED, ACCEPTED, FAILED, UNUSABLE, STOPPED = "suggested", "accepted", "failed", "unusable", "stopped"
CHUNK = 100  # episodes whose material is read at once while planning (two queries a chunk)
SAVE_EVERY = 1.0  # seconds of answers saved together: at most that much work is lost if the process dies
# The Episode columns a batch reads (its prompts, checks and lines); the rest stay in the database (an accept
# reads the episode again, whole and locked).
READ = ("id", "slug", "title", "extra", "version")
MSG_MAX_COST = "stopped at --max-cost ${limit}: the next request ({slug} {field}, about ${next}) would pass it"


@dataclass
class Planned:
    episode: Episode
    fields: list[str]
    material: Material
    prompts: dict[str, Prompt]
    currents: dict[str, str]  # each field's value as the plan read it (what a suggestion records it replaces)


@dataclass
class Plan:
    """What a batch will ask for, and what it is estimated to cost before any request is made."""

    episodes: list[Planned]
    # (episode, field) -> the suggestions waiting for review for it (their ids), which its new one replaces
    waiting: dict[tuple[int, str], list[int]] = dataclasses.field(default_factory=dict)

    @property
    def requests(self) -> int:
        return sum(len(p.fields) for p in self.episodes)

    @property
    def input_tokens(self) -> int:
        return sum(prompt.input_tokens for p in self.episodes for prompt in p.prompts.values())

    @property
    def output_tokens(self) -> int:
        return sum(prompt.output_tokens for p in self.episodes for prompt in p.prompts.values())

    @property
    def cost(self) -> Decimal:
        return cost_of(self.input_tokens, self.output_tokens)

    def summary(self) -> str:
        return (
            f"{len(self.episodes)} episode(s), {self.requests} request(s), about {self.input_tokens:,} input and "
            f"{self.output_tokens:,} output tokens, about ${self.cost:.4f} at the configured prices"
        )


@dataclass
class BatchLine:
    status: str
    slug: str
    field: str = ""
    text: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)
    suggestion: Suggestion | None = None

    def __str__(self):
        where = f"{self.slug} {self.field}".strip()
        return f"{where}: {self.status}" + (f": {self.text}" if self.text else "")


@dataclass
class BatchReport:
    lines: list[BatchLine] = dataclasses.field(default_factory=list)
    spent: Decimal = Decimal(0)
    input_tokens: int = 0
    output_tokens: int = 0
    stopped: str = ""

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    def summary(self) -> str:
        text = (
            f"{self.count(SUGGESTED)} suggested for review, {self.count(ACCEPTED)} accepted, "
            f"{self.count(UNUSABLE)} unusable, {self.count(FAILED)} failed; {self.input_tokens:,} input and "
            f"{self.output_tokens:,} output tokens, ${self.spent:.4f}"
        )
        return f"{text}. {self.stopped[:1].upper()}{self.stopped[1:]}" if self.stopped else text


def batch_plan(
    *, slugs: list[str] | None = None, fields: list[str], missing: bool = False, limit: int | None = None,
    force: bool = False,
) -> Plan:  # fmt: skip
    """Plan a batch: the episodes named (all for none) and, in each, the empty ones of ``fields``.

    ``force``: the fields named even when they hold a value (their suggestions go to review). ``missing``:
    only episodes lacking any of the fields. ``limit``: at most so many episodes. Raise SuggestError for
    a slug that names no episode.
    """
    with older_objects_spared():
        return _batch_plan(slugs, fields, missing, limit, force)


def _batch_plan(slugs, fields, missing, limit, force) -> Plan:
    episodes = Episode.objects.order_by("slug").only(*READ)
    if slugs:
        episodes = episodes.filter(slug__in=slugs)
        unknown = sorted(set(slugs) - set(episodes.values_list("slug", flat=True)))
        if unknown:
            raise SuggestError(ERR_NO_EPISODE.format(slugs=", ".join(unknown)))
    topics, limits, templates = topic_list(), check_limits(), prompt_templates()
    planned: list[Planned] = []
    chunk: list[Episode] = []
    for episode in episodes.iterator(chunk_size=CHUNK):
        chunk.append(episode)
        if len(chunk) == CHUNK:
            _plan_chunk(planned, chunk, fields, missing, limit, force, topics, limits, templates)
            chunk = []
        if limit is not None and len(planned) >= limit:
            break
    _plan_chunk(planned, chunk, fields, missing, limit, force, topics, limits, templates)
    ids = [p.episode.pk for p in planned]
    waiting: dict[tuple[int, str], list[int]] = {}
    for pk, episode_id, name in (
        # Unordered: the model's ordering would sort them all for nothing.
        Suggestion.objects.pending().filter(episode_id__in=ids).order_by().values_list("pk", "episode_id", "field")
    ):
        waiting.setdefault((episode_id, name), []).append(pk)
    return Plan(planned, waiting)


def _plan_chunk(planned, chunk, fields, missing, limit, force, topics, limits, templates) -> None:
    """Add to ``planned`` what to ask of the episodes of ``chunk``, their material read at once."""
    materials = episode_materials(chunk, topics=topics) if chunk else {}
    for episode in chunk:
        if limit is not None and len(planned) >= limit:
            return
        material = materials[episode.pk]
        currents = {name: current_value(episode, name, material) for name in fields}
        empty = [name for name in fields if not currents[name].strip()]  # what a batch fills unless forced
        if missing and not empty:
            continue
        todo = list(fields) if force else empty
        if todo:
            prompts = {
                name: prompt_build(name=name, material=material, limits=limits, templates=templates) for name in todo
            }
            planned.append(Planned(episode, todo, material, prompts, currents))


def batch_run(
    plan: Plan,
    *,
    accept: bool = False,
    max_cost: Decimal | None = None,
    user=None,
    job: Job | None = None,
    progress: Callable[[BatchLine], None] | None = None,
    between: Callable[[], None] | None = None,
    ask: Ask = llm.complete,
) -> BatchReport:
    """Ask for each planned field, one request at a time; an episode that fails does not stop the batch.

    ``accept``: apply each suggestion for an empty field that passes every check (no warning), as a
    revision naming the model; the others wait for review. ``max_cost``: stop before a request whose
    estimate would pass it. ``progress`` is told each line as its episode is done; ``between`` is called
    after each episode (it may raise to cancel the rest).
    """
    config = model_config()  # refuses at once when suggestions are off
    report = BatchReport()
    limits, templates = check_limits(), prompt_templates()
    answers = Answers(plan.waiting, report=report, progress=progress, job=job, limits=limits)
    common = (report, answers, accept, max_cost, user, ask, config, limits, templates)
    with older_objects_spared():
        try:
            for planned in plan.episodes:
                _episode_run(planned, *common)
                if report.stopped:
                    break
                if between is not None:
                    between()
        finally:
            # What was asked is recorded even when the batch is cancelled or something unforeseen stops it: its
            # tokens were spent.
            answers.save()
    return report


@contextlib.contextmanager
def older_objects_spared() -> Iterator[None]:
    """Leave the objects that exist before the block out of the garbage collector's passes during it.

    A batch makes and drops a transcript's worth of objects per episode, and the collector's full passes,
    two or so a batch, each went over every object of the process (160,000 in a Django process: about
    100 ms a pass, more than a tenth of a 200-episode batch's own work). Garbage among the older objects
    waits for the first pass after the block; a nested block's end ends the outer one's sparing too, which
    only costs time. The block's end hands back every frozen object, so a process that freezes its own at
    start (as a pre-forking server may) should not run batches: here they run in the job worker and the
    command.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Answers:
    """The model's answers in, made into suggestions, saved and reported together: when ``SAVE_EVERY``
    seconds have passed since the last save (so with a model that takes longer, each as soon as the next
    request is about to go), and at the batch's end.

    Made together, not one by one after each request: the code that parses and checks them then runs many
    times in a row, where after each request it ran with the processor's caches cold from the model's client;
    and each save is a transaction of its own. A batch that accepts makes each episode's answers at its end
    (:func:`_episode_run`), to accept them.
    """

    def __init__(self, replace: dict[tuple[int, str], list[int]], *, report: BatchReport, progress, job, limits):
        self.asked: list[Asked] = []  # answered, not made into suggestions yet
        self.made: list[Suggestion] = []  # made, not saved yet
        self.lines: list[BatchLine] = []  # made, not reported yet
        self.replace, self.report, self.progress, self.job, self.limits = replace, report, progress, job, limits
        self.saved_at = time.monotonic()

    def add(self, asked: Asked) -> None:
        self.asked.append(asked)

    def count(self, asked: Asked) -> None:
        """Add an answer's tokens and cost to the report's, once."""
        if asked.cost is None:
            reply = asked.reply
            asked.cost = cost_of(reply.input_tokens, reply.output_tokens)
            self.report.spent += asked.cost
            self.report.input_tokens += reply.input_tokens
            self.report.output_tokens += reply.output_tokens

    def make(self) -> list[BatchLine]:
        """Make the answers in into suggestions (parsed, checked, counted); return their lines."""
        lines = []
        for request in self.asked:
            self.count(request)
            suggestion = suggestion_from_reply(request, job=self.job, limits=self.limits)
            self.made.append(suggestion)
            line = BatchLine(
                SUGGESTED, request.episode.slug, request.name, warnings=suggestion.warnings, suggestion=suggestion
            )
            if suggestion.error:
                line.status, line.text = UNUSABLE, suggestion.error
            lines.append(line)
        self.asked.clear()
        self.lines += lines
        return lines

    def fail(self, line: BatchLine) -> None:
        """Add a line for a request that got no answer, after those of the answers before it."""
        self.make()
        self.lines.append(line)

    def due(self) -> bool:
        return time.monotonic() - self.saved_at >= SAVE_EVERY

    def save(self, *, report: bool = True) -> None:
        """Make and save what came in; ``report``: and tell its lines (False: an accepting batch tells an
        episode's lines once its suggestions are accepted)."""
        self.make()
        if self.made:
            suggestions_save(self.made, replace=self.replace)
            self.made = []
        self.saved_at = time.monotonic()
        if report:
            self.tell()

    def tell(self) -> None:
        """Add the lines made to the report, and tell each to ``progress``."""
        lines, self.lines = self.lines, []
        self.report.lines += lines
        for line in lines if self.progress is not None else ():
            self.progress(line)


def _episode_run(planned, report, answers, accept, max_cost, user, ask, config, limits, templates) -> None:
    """Ask for the planned fields of one episode; in a batch that accepts, make its answers into suggestions
    at its end and accept what may be, once saved (chapters at once: the next prompts name the new sections)."""
    episode, material = planned.episode, planned.material
    version = episode.version  # the version each accept expects: the start's, then the one it made

    def acceptable(suggestion: Suggestion) -> bool:
        return accept and not suggestion.error and not suggestion.warnings and not suggestion.current.strip()

    def accept_line(line: BatchLine) -> None:
        nonlocal version
        try:
            suggestion_accept(suggestion=line.suggestion, user=user, version=version)
        except ServiceError as exc:
            line.text = f"left for review: {exc}"
        else:
            line.status = ACCEPTED
            version = line.suggestion.episode.version

    try:
        for name in planned.fields:
            prompt = planned.prompts.get(name) or prompt_build(
                name=name, material=material, limits=limits, templates=templates
            )
            if max_cost is not None and report.spent + prompt.cost > max_cost:
                report.stopped = MSG_MAX_COST.format(limit=max_cost, slug=episode.slug, field=name, next=prompt.cost)
                break
            if answers.due():
                answers.save(report=not accept)
            current = planned.currents.get(name)
            if current is None:
                current = current_value(episode, name, material)
            request = Asked(episode, name, material, prompt, episode.version, current)
            try:
                request.reply = suggestion_ask(prompt=prompt, ask=ask, config=config)
            except SuggestError as exc:
                answers.fail(BatchLine(FAILED, episode.slug, name, str(exc)))
                break  # the server is not answering: on with the next episode
            answers.add(request)
            if max_cost is not None:
                answers.count(request)  # now: the cap is checked before the next request
            if name == CHAPTERS and accept:
                answers.make()
                line = answers.lines[-1]
                if line.status == SUGGESTED and acceptable(line.suggestion):
                    # Accepted before the next request: the next prompts name the new sections.
                    answers.save(report=False)
                    accept_line(line)
                    if line.status == ACCEPTED:
                        episode = Episode.objects.only(*READ).get(pk=episode.pk)
                        version = episode.version
                        material = episode_material(episode, topics=material.topic_list)
                        planned.prompts, planned.currents = {}, {}
    finally:
        if accept:
            answers.make()
    if not accept:
        return
    # Every line not told yet is this episode's: an accepting batch tells each episode's at its end.
    waiting = [
        line
        for line in answers.lines
        if line.status == SUGGESTED and line.field != CHAPTERS and acceptable(line.suggestion)
    ]
    if waiting:
        answers.save(report=False)
    for line in waiting:
        accept_line(line)
    answers.tell()
