"""The site's key order for new files: read from its template and its files line by line."""

import pytest

from episodes.format import frontmatter as fm
from episodes.format import layout
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import CORPUS


def test_a_template_that_is_not_yaml_gives_its_keys_in_order():
    template = '---\ntitle: "{{ title }}"\nguests: [{{ guest }}]\n\nids:\n  youtube: {{ id }}\n---\n{{ body }}\n'
    assert layout.file_keys(template) == (["title", "guests", "ids"], {})


def test_list_items_keys_are_read_per_item():
    text = "---\nclips:\n- name: a\n  url: u\n  end: 1\n- name: b\n  end: 2\ntitle: x\n---\n"
    assert layout.file_keys(text) == (["clips", "title"], {"clips": [["name", "url", "end"], ["name", "end"]]})


def test_the_usual_order_is_the_one_most_files_agree_with():
    assert layout.usual_order([["a", "b", "c"], ["a", "c", "b"], ["b", "c"], ["a", "b"]]) == ["a", "b", "c"]
    assert layout.usual_order([["x", "y"], ["y", "x"]]) == ["x", "y"]  # undecided: as first met
    assert layout.usual_order([]) == []


def test_a_document_is_arranged_in_the_template_order_then_the_usual_one():
    style = layout.SiteStyle.read(
        "---\ntitle: t\nshort: s\n---\n",
        ["---\ntitle: a\nseason: 1\ndateadded: 2020-01-01\nclips:\n- name: n\n  url: u\n  end: 1\n---\n"] * 2,
    )
    doc = fm.Document(
        front={"dateadded": "d", "new": 1, "clips": [{"end": 2, "name": "m", "url": "v"}], "short": "s", "title": "t"}
    )
    arranged = style.arrange(doc)
    assert list(arranged.front) == ["title", "short", "dateadded", "clips", "new"]
    assert list(arranged.front["clips"][0]) == ["name", "url", "end"]
    assert fm.parse(style.text(doc)).front == doc.front


@needs_shared
def test_the_corpus_s_template_and_files_give_the_site_s_order():
    files = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "episodes").glob("*.md"))]
    style = layout.SiteStyle.read((CORPUS / "episodes" / "_template.md").read_text(encoding="utf-8"), files)
    assert style.keys[:8] == ["title", "short", "guests", "image", "season", "episode", "ids", "links"]
    assert style.keys.index("quotableClips") < style.keys.index("transcript")
    assert style.item_keys["quotableClips"] == ["name", "startOffset", "url", "endOffset"]


@pytest.mark.parametrize("text", ["", "no front matter\n", "---\nunclosed: 1\n"])
def test_files_without_front_matter_give_what_they_have(text):
    keys, _ = layout.file_keys(text)
    assert keys == ([] if not text.startswith("---") else ["unclosed"])
