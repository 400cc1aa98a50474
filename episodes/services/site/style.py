"""The site's style for files new to it: the key order of its ``_template.md`` and of its files at a commit."""

from __future__ import annotations

import functools

from ...documents import git
from ...format import frontmatter as fm
from ...format import layout
from .repository import KIND_FOLDER, is_template


def site_styles(site: git.Repo, files: dict[str, tuple[str, str, int]]):
    """Return a function giving the :class:`layout.SiteStyle` of a kind of file, read from ``files`` when asked.

    ``files`` is the commit's listing ({path: (mode, blob, size)}); a folder's files are read only for the
    first new file of its kind, and only plain files under the size limit.
    """

    @functools.cache
    def style(kind: str) -> layout.SiteStyle:
        folder = KIND_FOLDER[kind] + "/"
        template, texts = None, []
        with site.blobs() as read:
            for path, (mode, blob, size) in sorted(files.items()):
                if not path.startswith(folder) or not path.endswith(".md") or mode != git.FILE_MODE:
                    continue
                if size > fm.MAX_BYTES:
                    continue
                text = read(blob).decode("utf-8", "replace")
                if is_template(path):
                    template = text
                else:
                    texts.append(text)
        return layout.SiteStyle.read(template, texts)

    return style
