"""Read an episode or a person and build what their pages show.

Reading is split in two so that a conditional request costs little: :func:`episode_head` reads the
episode's people and, for its page, its neighbours (two small queries, one for a file) and gives the
ETag; only a request that needs a body goes on to read the transcript (one query) in :func:`episode_page`
or :func:`feed_segments`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import namedtuple
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import SafeString

from ..documents import database
from ..documents.database import parsed_extra
from ..format import markup
from ..format.episode_keys import episode_description, episode_duration, front_date, public_title
from ..format.timeline import Section, speaker_groups, timeline
from ..format.video import youtube_id
from ..listening import listener
from ..models import Episode, Person
from ..selectors.speakers import episode_people, speaker_ties, speakers_match, with_people, with_tie_pairs
from .formats import Segment, chapters_json, segments, transcript_json, transcript_srt, transcript_vtt
from .neighbours import Neighbours, episode_neighbours, with_kept_neighbours
from .structured import clips, episode_json_ld


def image_url(path: str) -> str:
    """Return where the site's image ``path`` is served (``PODCAST_IMAGES_URL``), or '' for other addresses."""
    return markup.image_url(path, base=settings.PODCAST_IMAGES_URL)


PLATFORM_NAMES = {"youtube": "YouTube", "spotify": "Spotify", "apple": "Apple Podcasts", "anchor": "Anchor"}
APP = Path(__file__).resolve().parent.parent
# The code that writes the pages and feeds; its text is part of every ETag.
PAGE_CODE = [
    *sorted((APP / "public").glob("*.py")),
    *(APP / "format" / f"{name}.py" for name in ("markup", "timeline", "times", "video", "episode_keys")),
    *sorted((APP / "templatetags").glob("*.py")),
]


@functools.cache
def release() -> str:
    """Return a digest of what the pages' bytes depend on besides rows: templates, code, settings, static files.

    Computed once per process, so a deployment that changes any of them changes every ETag.
    """
    digest = hashlib.sha256()
    templates = [path for directory in settings.TEMPLATES[0]["DIRS"] for path in sorted(Path(directory).rglob("*"))]
    for path in [*templates, *PAGE_CODE]:
        if path.is_file():
            digest.update(path.read_bytes())
    digest.update(repr([settings.PODCAST_TITLE, settings.PODCAST_IMAGES_URL, settings.TRANSCRIPT_ISSUE_URL]).encode())
    # With the manifest storage these names carry a hash of the files' content.
    digest.update(static("css/site.css").encode() + static("js/site.js").encode())
    return digest.hexdigest()[:16]


def etag_of(*parts) -> str:
    """Return a weak ETag of ``parts`` (plain values read from rows) and of the release."""
    digest = hashlib.sha256(repr([release(), *parts]).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


# -- reading an episode -----------------------------------------------------------------------------------


def find_episode(slug: str, *, user, neighbours: bool = True) -> Episode | None:
    """Return the published episode ``slug``, or a draft when ``user`` is staff (the user is read only then);
    with what its kept neighbours show unless told not to (the files show no other episode)."""
    # The file as imported can be ten times the page's data, and no page shows it.
    episodes = with_people(with_tie_pairs(Episode.objects.defer("source_text").filter(slug=slug)))
    episode = (with_kept_neighbours(episodes, slug) if neighbours else episodes).first()
    if episode is not None and episode.status != Episode.Status.PUBLISHED and not user.is_staff:
        return None
    return episode


@dataclass
class EpisodeHead:
    """An episode and everyone who may appear on its page: enough to tell whether a cached copy is current."""

    episode: Episode
    guests: list[Person]
    candidates: list[Person]
    ties: dict[str, Person | None]
    # None for the transcript and chapter files, which show no other episode.
    neighbours: Neighbours | None

    @property
    def extra(self) -> dict:
        """Return the episode's other keys: read only to build a body, never to answer 304."""
        return parsed_extra(self.episode.extra)

    @cached_property
    def etag(self) -> str:
        """Return a weak validator of everything the page and the feeds of this episode show.

        The episode's own rows (transcript, links, platforms) bump ``Episode.version`` whenever they
        change. People have no version, so every field of theirs that the page shows is part of the tag,
        as are the editor's speaker ties and the templates and static files in use.
        """
        e = self.episode
        # created_at: SQLite can give a deleted episode's id to a new one, whose version starts at 1 again.
        parts: list = [e.pk, e.created_at.isoformat(), e.slug, e.version, e.status]
        for p in self.candidates:
            parts.append((p.pk, p.key, p.name, p.picture, p.github, p.twitter, p.linkedin, p.web, p.bio_short))
            parts.append((p.body, p.is_host))
        parts += sorted((label, person.pk if person else None) for label, person in self.ties.items())
        if self.neighbours is not None:
            parts.append(self.neighbours.validator())
        return etag_of(parts)

    @property
    def is_public(self) -> bool:
        return self.episode.status == Episode.Status.PUBLISHED


def episode_head(episode: Episode, *, neighbours: bool = True) -> EpisodeHead:
    """Return what tells whether a copy of ``episode``'s page is current: its people and speaker ties came
    with it from :func:`find_episode`; its neighbours are read unless told not to (one query, the dearest:
    the files show no other episode)."""
    guests, candidates = episode_people(episode=episode)
    neighbours = episode_neighbours(episode, guests=guests) if neighbours else None
    return EpisodeHead(episode, guests, candidates, speaker_ties(episode=episode, known=candidates), neighbours)


def find_head(slug: str, *, user, neighbours: bool = True) -> EpisodeHead | None:
    """Return the head of the episode ``slug`` as :func:`find_episode` and :func:`episode_head` make it, or None.

    While this process listens to the database's notifications (:mod:`episodes.listening`), a published
    episode's head is kept until the episode, one of the episodes its page shows, or anything else it is made
    of changes: between two changes its page and files cost no query.
    """
    key = (slug, neighbours)
    head = listener.head(key)
    if head is not None:
        return head
    mark = listener.mark()  # before the rows are read
    episode = find_episode(slug, user=user, neighbours=neighbours)
    if episode is None:
        return None
    head = episode_head(episode, neighbours=neighbours)
    if mark is not None and head.is_public:
        _ = head.etag  # made once, before another thread can read it
        listener.keep_head(key, head, (episode.pk, *(head.neighbours.ids() if head.neighbours else ())), mark)
    return head


def speaker_names(head: EpisodeHead, sections: list[Section]) -> dict[str, Person]:
    labels = {t.who for s in sections for t in s.turns if t.who}
    return speakers_match(labels=labels, candidates=head.candidates, ties=head.ties)


def episode_timeline(head: EpisodeHead, *, video_id: str = "") -> tuple[list[Section], dict[str, Person]]:
    """Read the transcript (one query); return its sections and the person behind each speaker label."""
    sections = timeline(database.item_rows(head.episode, shown=True), video_id=video_id)
    return sections, speaker_names(head, sections)


def feed_segments(head: EpisodeHead) -> list[Segment]:
    """Read the transcript; return its segments, speakers named by their person's full name where known."""
    sections, people = episode_timeline(head)
    names = {label: person.name or label for label, person in people.items()}
    return segments(sections, names=names, duration=episode_duration(head.extra))


def feed_file(head: EpisodeHead, kind: str) -> tuple[str, str]:
    """Return the text and content type of one of the episode's files: json, vtt, srt or chapters."""
    if kind == "chapters":
        sections, _ = episode_timeline(head)
        return _json(chapters_json(sections)), "application/json+chapters"
    items = feed_segments(head)
    if kind == "json":
        return _json(transcript_json(items)), "application/json"
    if kind == "vtt":
        return transcript_vtt(items), "text/vtt; charset=utf-8"
    if kind == "srt":
        return transcript_srt(items), "application/x-subrip; charset=utf-8"
    raise ValueError(f"unknown feed kind {kind!r}")


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# -- page view-models ---------------------------------------------------------------------------------------


@dataclass
class PersonCard:
    person: Person
    url: str
    picture: str
    links: list[tuple[str, str]]

    @property
    def name(self) -> str:
        return self.person.name or self.person.key

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split()[:2]).upper()

    @cached_property
    def bio(self) -> SafeString:
        return markup.render_markdown(self.person.bio)


def person_links(person: Person) -> list[tuple[str, str]]:
    """Return (label, address) of a person's profiles and website; unsafe addresses are left out."""
    links = [
        ("Website", markup.safe_url(person.web)),
        ("GitHub", markup.profile_url("https://github.com/", person.github)),
        ("LinkedIn", markup.profile_url("https://www.linkedin.com/in/", person.linkedin, suffix="/")),
        ("X (Twitter)", markup.profile_url("https://x.com/", person.twitter)),
    ]
    return [(label, url) for label, url in links if url]


def person_card(person: Person) -> PersonCard:
    url = reverse("episodes:person", args=[person.key])
    return PersonCard(person, url, image_url(person.picture), person_links(person))


def platform_urls(refs: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Return (platform, address) of the episode's ``links`` mapping, known platforms first, unsafe ones left out."""
    links = [(platform, markup.safe_url(value)) for mapping, platform, value in refs if mapping == "links"]
    order = list(PLATFORM_NAMES)
    links.sort(key=lambda link: order.index(link[0]) if link[0] in order else len(order))
    return [(platform, url) for platform, url in links if url]


def platform_links(urls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return (name, address) of :func:`platform_urls` as the page lists them."""
    return [(PLATFORM_NAMES.get(p, p.replace("_", " ").title()), url) for p, url in urls]


def number_label(episode: Episode) -> str:
    parts = []
    if episode.season is not None:
        parts.append(f"Season {episode.season}")
    if episode.number is not None:
        parts.append(f"Episode {episode.number}")
    return ", ".join(parts)


def seasons(episodes) -> list[tuple[int | None, list[Episode]]]:
    """Group episodes (newest first) by season; episodes without a season come last."""
    groups: dict[int | None, list[Episode]] = {}
    for episode in episodes:
        groups.setdefault(episode.season, []).append(episode)
    return sorted(groups.items(), key=lambda item: (item[0] is None, -(item[0] or 0)))


def episode_page(head: EpisodeHead, *, absolute) -> dict:
    """Return the template context of the episode page; ``absolute`` makes a path a full address.

    Reads the platform references, the body links and the transcript: three queries.
    """
    episode, extra = head.episode, head.extra
    refs = list(episode.platform_refs.values_list("mapping", "platform", "value"))
    links = list(episode.body_links.values_list(*database.LINK_VALUES))
    urls = platform_urls(refs)
    video_id = youtube_id(refs)
    sections, people = episode_timeline(head, video_id=video_id)
    colors: dict[str, int] = {}
    for section in sections:
        section.groups = speaker_groups(section.turns, people, colors)
    intro = extra.get("intro") if isinstance(extra.get("intro"), str) else ""
    title = public_title(episode)
    path = reverse("episodes:episode", args=[episode.slug])
    image = image_url(episode.image)
    duration = episode_duration(extra)
    context = {
        "episode": episode,
        "title": title,
        "number_label": number_label(episode),
        "date": front_date(extra.get("dateadded")),
        "guests": [person_card(p) for p in head.guests],
        "video_id": video_id,
        "platforms": platform_links(urls),
        "platform_urls": dict(urls),
        "sections": sections,
        "toc": [s for s in sections if s.is_header],
        "has_turns": any(s.turns for s in sections),
        "intro_html": markup.render_markdown(intro),
        "body_html": markup.render_markdown(database.episode_body(episode, links)),
        "description": markup.plain_text(episode_description(episode, extra)),
        "path": path,
        "page_url": absolute(path),
        "image": image,
        "image_url": absolute(image) if image else "",
        "duration": duration,
        "clips": clips(extra, video_id=video_id),
        "feeds": feed_links(episode.slug),
        "neighbours": head.neighbours,
        "report_url": transcript_issue_url(title),
    }
    names = {label: person.name or label for label, person in people.items()}
    context["segments"] = segments(sections, names=names, duration=duration)
    context["json_ld"] = json_scripts(episode_json_ld(context, absolute=absolute))
    return context


def json_scripts(blocks: list[dict]) -> SafeString:
    """Return one ``<script type="application/ld+json">`` element per block."""
    return SafeString("\n".join(markup.json_script(block) for block in blocks))


def transcript_issue_url(title: str) -> str:
    """Return where readers report a problem with a transcript: ``TRANSCRIPT_ISSUE_URL``, '' when unset.

    ``{title}`` in the setting becomes "Transcript: <the episode's title>", encoded for a query string.
    """
    template = settings.TRANSCRIPT_ISSUE_URL
    if not template:
        return ""
    return markup.safe_url(template.replace("{title}", quote(f"Transcript: {title}", safe="")))


# ``is_chapters`` tells the Podcasting 2.0 <podcast:chapters> file from the <podcast:transcript> ones, and
# ``rel`` is "captions" for the timed formats players can show as subtitles.
Feed = namedtuple("Feed", "title label type url is_chapters rel")
FEED_KINDS = [
    ("Transcript (JSON)", "JSON", "application/json", "episodes:transcript_json", False, ""),
    ("Transcript (WebVTT)", "VTT", "text/vtt", "episodes:transcript_vtt", False, "captions"),
    ("Transcript (SRT)", "SRT", "application/x-subrip", "episodes:transcript_srt", False, "captions"),
    ("Chapters (JSON)", "chapters", "application/json+chapters", "episodes:chapters", True, ""),
]


def feed_links(slug: str) -> list[Feed]:
    """Return the episode's transcript and chapter files: for <link rel="alternate">, links and the RSS feed."""
    page = reverse("episodes:episode", args=[slug])
    return [
        Feed(title, label, type_, page + suffix if suffix is not None else reverse(name, args=[slug]), *rest)
        for (title, label, type_, name, *rest), suffix in zip(FEED_KINDS, _feed_suffixes(), strict=True)
    ]


@functools.cache
def _feed_suffixes() -> list[str | None]:
    """Return what each file's address adds to its episode page's (None where it is not under the page).

    The feed lists four files for each of its hundred episodes: one reverse() for the page and these suffixes
    instead of four reverse() calls, which were a third of the feed's time.
    """
    page = reverse("episodes:episode", args=["slug"])
    addresses = [reverse(name, args=["slug"]) for _, _, _, name, *_ in FEED_KINDS]
    return [address[len(page) :] if address.startswith(page) else None for address in addresses]
