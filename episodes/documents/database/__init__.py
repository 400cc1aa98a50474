"""Map parsed episode and person files to database rows and back, losing nothing (imported as ``database``).

A front matter key goes to its column only when its value has exactly the column's type (and fits it);
any other key or value is kept with its YAML type in the row's ``extra`` mapping. ``front_keys`` keeps
the file's key order, and each transcript item keeps its own keys, so the export writes the same data.

- :mod:`.columns`: which keys have a column, and the other keys as YAML (``extra``);
- :mod:`.episodes`: an episode file to unsaved rows, and rows back to a document;
- :mod:`.writing`: saving those rows, replacing an episode's content, bulk inserts;
- :mod:`.people`: a ``_people`` profile to a Person and back;
- :mod:`.digests`: each transcript's digest for the suggestion prompts, stored as it is written.
"""

from .columns import (
    EPISODE_COLUMNS,
    ITEM_COLUMNS,
    ITEM_TEXT_KEY,
    PARSED_EXTRA_MAX,
    PERSON_COLUMNS,
    PLATFORM_MAPPINGS,
    decode_key,
    dump_extra,
    encode_key,
    episode_extra,
    fits,
    load_extra,
    parsed_extra,
)
from .digests import digest_save, digests_read
from .episodes import (
    ITEM_ROW,
    ITEM_VALUES,
    LINK_VALUES,
    SHOWN,
    Children,
    EpisodeRows,
    ItemRow,
    episode_body,
    episode_children,
    episode_document,
    episode_documents,
    episode_front,
    episode_hidden,
    episode_rows,
    export_text,
    hidden_on_site,
    item_data,
    item_row,
    item_rows,
    status_from_site,
)
from .people import person_document, person_fields
from .writing import (
    CHILDREN,
    FILE_FIELDS,
    guests_and_hosts,
    insert_rows,
    insert_values,
    people_for_keys,
    refresh_statistics,
    replace_content,
    save_episode_rows,
)

__all__ = [
    "CHILDREN",
    "EPISODE_COLUMNS",
    "FILE_FIELDS",
    "ITEM_COLUMNS",
    "ITEM_ROW",
    "ITEM_TEXT_KEY",
    "ITEM_VALUES",
    "LINK_VALUES",
    "PARSED_EXTRA_MAX",
    "PERSON_COLUMNS",
    "PLATFORM_MAPPINGS",
    "SHOWN",
    "Children",
    "EpisodeRows",
    "ItemRow",
    "decode_key",
    "digest_save",
    "digests_read",
    "dump_extra",
    "encode_key",
    "episode_body",
    "episode_children",
    "episode_document",
    "episode_documents",
    "episode_extra",
    "episode_front",
    "episode_hidden",
    "episode_rows",
    "export_text",
    "fits",
    "guests_and_hosts",
    "hidden_on_site",
    "insert_rows",
    "insert_values",
    "item_data",
    "item_row",
    "item_rows",
    "load_extra",
    "parsed_extra",
    "people_for_keys",
    "person_document",
    "person_fields",
    "replace_content",
    "refresh_statistics",
    "save_episode_rows",
    "status_from_site",
]
