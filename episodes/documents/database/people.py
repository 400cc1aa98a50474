"""Map a parsed ``_people`` profile to Person field values, and a person back to a document."""

from __future__ import annotations

from ...format import frontmatter as fm
from ...models import Person
from . import columns


def person_fields(doc: fm.Document) -> dict:
    """Map a parsed ``_people`` profile to Person field values."""
    values = {"closing": doc.closing, "body": doc.body, "has_profile": True}
    extra = {}
    for key, value in doc.front.items():
        attr = columns.PERSON_COLUMNS.get(key) if isinstance(key, str) else None
        if attr is not None and columns.fits(Person, attr, value):
            values[attr] = value
        else:
            extra[key] = value
    values["front_keys"] = [columns.encode_key(k) for k in doc.front]
    values["extra"] = columns.dump_extra(extra, doc)
    return values


def person_document(person: Person) -> fm.Document:
    present = {key: getattr(person, attr) for key, attr in columns.PERSON_COLUMNS.items()}
    keys = {columns.decode_key(k) for k in person.front_keys}
    present = {k: v for k, v in present.items() if k in keys or v != ""}
    front = columns._ordered(person.front_keys, present, columns.load_extra(person.extra))
    body = person.body
    if not person.source_text:
        # A profile made in the CMS: its body as a file holds it (after the closing line's line break), and
        # ending with a line break, as the site's files do; else it would read back as another body.
        body = body if body.startswith("\n") else "\n" + body
        body = body if body.endswith("\n") else body + "\n"
    return fm.Document(front=front, body=body, closing=person.closing)
