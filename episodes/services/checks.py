"""The editorial rules' counts kept per episode (``EpisodeProblem``) on every save and import, the health
page's snapshots, and checking the whole database with the counts kept (the rules are read by
:mod:`episodes.selectors.checks`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ..documents import images
from ..documents.database import episode_documents
from ..format import checks
from ..format import frontmatter as fm
from ..models import Episode, EpisodeProblem, HealthSnapshot, Person
from ..selectors.checks import Checked, check_limits, database_topics, episode_findings, problem_counts, with_lines


def problems_store(*, episode_id: int, findings: Iterable[checks.Finding]) -> None:
    """Keep how often an episode breaks each rule, for the episode list's filter and the health page."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    EpisodeProblem.objects.filter(episode_id=episode_id).delete()
    EpisodeProblem.objects.bulk_create(
        EpisodeProblem(episode_id=episode_id, rule=rule, count=count) for rule, count in counts.items()
    )


def problems_refresh(*, episode: Episode, items=None, guests=None) -> list[checks.Finding]:
    """Check ``episode`` against every rule and keep the counts; return the findings."""
    findings = episode_findings(episode=episode, items=items, guests=guests)
    problems_store(episode_id=episode.pk, findings=findings)
    return findings


def health_snapshot_take(*, commit: str = "") -> HealthSnapshot:
    """Record the episodes failing each rule now: what the health page's trend is measured against."""
    return HealthSnapshot.objects.create(commit=commit, episodes=Episode.objects.count(), counts=problem_counts())


def database_check(*, rules: Sequence[str] | None = None, store: bool = True) -> Iterator[Checked]:
    """Check every episode in the database, with the lines of its exported file; keep the counts when
    ``store`` and every rule is checked."""
    limits, topics = check_limits(), database_topics()
    names = dict(Person.objects.exclude(name="").values_list("key", "name"))
    episodes = Episode.objects.order_by("slug").defer("source_text")
    for episode, doc in episode_documents(episodes):
        front = doc.front
        guests = [names[k] for k in front.get("guests") or () if isinstance(k, str) and k in names]
        subject = checks.Subject(front, checks.file_items(front), guests, topics, images.image_exists)
        findings = checks.check(subject, limits=limits, rules=rules)
        if store and not rules:
            problems_store(episode_id=episode.pk, findings=findings)
        findings = with_lines(findings, fm.dump(front)) if findings else findings
        yield Checked(f"{episode.slug}.md", episode.slug, findings)
