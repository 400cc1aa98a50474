"""The episodes app's models, one module per concern; every name is re-exported here (``from ..models import X``).

- :mod:`.names`: which file names can name an episode or a person (the slug rule and its validator);
- :mod:`.episodes`: episodes, people and an episode's guests;
- :mod:`.topics`: each episode's topic keys and the curated topic list;
- :mod:`.links`: an episode's ``ids``/``links`` mappings and its body's link list;
- :mod:`.transcript`: transcript items and speaker choices;
- :mod:`.history`: revisions and the old names of renamed files;
- :mod:`.site`: the site's git repository as last pulled and pushed;
- :mod:`.jobs`: long work in the background;
- :mod:`.checks`: the editorial rules' findings and the archive's health;
- :mod:`.suggestions`: a language model's suggestions, and the transcripts' digests its prompts read;
- :mod:`.stamps`: counts of committed changes, which what the public pages keep depends on.
"""

from .checks import EpisodeProblem, Health, HealthSnapshot
from .episodes import LONG_PERSON_FIELDS, Episode, EpisodeGuest, EpisodeQuerySet, Person, PersonQuerySet
from .history import EpisodeRedirect, PersonRedirect, Redirect, RedirectQuerySet, Revision, RevisionQuerySet
from .jobs import Job, JobQuerySet
from .links import BodyLink, PlatformRef
from .names import (
    ERR_NAME_DOTS,
    ERR_NAME_EMPTY,
    ERR_NAME_LONG,
    ERR_NAME_NOT_TEXT,
    ERR_NAME_SLASH,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    name_problem,
    slug_validator,
)
from .site import Publish, SiteFile, SiteFileQuerySet, SiteState
from .stamps import Stamp
from .suggestions import PromptDigest, Suggestion, SuggestionQuerySet
from .topics import EpisodeTopic, EpisodeTopicQuerySet, Topic
from .transcript import Speaker, TranscriptItem, TranscriptItemQuerySet, default_turn_keys

__all__ = [
    "ERR_NAME_DOTS",
    "ERR_NAME_EMPTY",
    "ERR_NAME_LONG",
    "ERR_NAME_NOT_TEXT",
    "ERR_NAME_SLASH",
    "LONG_PERSON_FIELDS",
    "SLUG_MAX_LENGTH",
    "SLUG_PATTERN",
    "BodyLink",
    "Episode",
    "EpisodeGuest",
    "EpisodeProblem",
    "EpisodeQuerySet",
    "EpisodeRedirect",
    "EpisodeTopic",
    "EpisodeTopicQuerySet",
    "Health",
    "HealthSnapshot",
    "Job",
    "JobQuerySet",
    "Person",
    "PersonQuerySet",
    "PersonRedirect",
    "PlatformRef",
    "PromptDigest",
    "Publish",
    "Redirect",
    "RedirectQuerySet",
    "Revision",
    "RevisionQuerySet",
    "SiteFile",
    "SiteFileQuerySet",
    "SiteState",
    "Speaker",
    "Stamp",
    "Suggestion",
    "SuggestionQuerySet",
    "Topic",
    "TranscriptItem",
    "TranscriptItemQuerySet",
    "default_turn_keys",
    "name_problem",
    "slug_validator",
]
