"""An episode's topics (its ``topics`` front matter key) and the key related episodes are matched by: no Django."""

from __future__ import annotations

import hashlib


def episode_topics(extra: dict) -> list[str]:
    """Return the ``topics`` front matter key: its non-empty strings, in order, each once."""
    topics = extra.get("topics")
    if not isinstance(topics, list):
        return []
    return list(dict.fromkeys(t.strip() for t in topics if isinstance(t, str) and t.strip()))


def topic_key(topic: str) -> int:
    """Return what two topics that differ only in case share: a 64-bit digest of the casefolded topic.

    A number, not the text: a topic may be any length (a B-tree entry of PostgreSQL holds at most a third
    of a page), and numbers compare without a collation, which PostgreSQL's ICU ones make slow.
    """
    folded = topic.casefold().encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(folded, digest_size=8).digest(), "big", signed=True)


def topic_keys(extra: dict) -> list[int]:
    """Return the keys of the episode's topics, in order, each once (topics differing only in case are one)."""
    return list(dict.fromkeys(topic_key(topic) for topic in episode_topics(extra)))
