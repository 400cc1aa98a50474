"""Bulk fixes: each fix on small cases and real files (its rule finds nothing after it), the service's
preview and apply, and the episode list's action and page."""

import pytest
from django.urls import reverse

from episodes.documents.database import episode_extra
from episodes.format import checks, fixes
from episodes.format import frontmatter as fm
from episodes.models import Episode, EpisodeProblem, Revision
from episodes.services.editing import ServiceError
from episodes.services.fixes import episodes_fix
from episodes.tests.support.factories import SHARED, make_episode, needs_shared

CORPUS = SHARED / "corpus"


def rule_findings(front, rule):
    return checks.check(checks.Subject(front, checks.file_items(front)), rules=[rule])


def test_typography_fix_makes_the_rule_pass():
    front = {
        "title": "Non\u2011breaking  title ",
        "short": "It\u2019s fine",
        "intro": "\u201cQuoted\u201d\u00a0text",
        "topics": ["ML\u2011Ops", "fine"],
        "quotableClips": [{"name": "Clip\u2019s  name", "startOffset": 0, "endOffset": 5}],
    }
    changed = fixes.FIXES["typography"].apply(front)
    assert changed == {
        "title": "Non-breaking title",
        "short": "It's fine",
        "intro": '"Quoted" text',
        "topics": ["ML-Ops", "fine"],
        "quotableClips": [{"name": "Clip's name", "startOffset": 0, "endOffset": 5}],
    }
    assert rule_findings({**front, **changed}, "typography") == []
    assert fixes.FIXES["typography"].apply({**front, **changed}) == {}
    # Indentation and line breaks stay: only spaces between words are collapsed.
    assert fixes.plain_typography("a\n  b  c") == "a\n  b c"


def test_description_period_and_clips_to_duration():
    assert fixes.FIXES["description-period"].apply({"description": "Ends here. "}) == {"description": "Ends here"}
    assert fixes.FIXES["description-period"].apply({"description": "Trails off..."}) == {}
    assert fixes.FIXES["description-period"].apply({}) == {}
    clips = [
        {"name": "A", "startOffset": 0, "endOffset": 50},
        {"name": "B", "startOffset": 50, "endOffset": 130},
        {"name": "C", "startOffset": 130, "endOffset": 140},
    ]
    changed = fixes.FIXES["clips-to-duration"].apply({"duration": "PT02M", "quotableClips": clips})
    assert changed == {"quotableClips": [clips[0], {**clips[1], "endOffset": 120}]}
    assert fixes.FIXES["clips-to-duration"].apply({"quotableClips": clips}) == {}  # no duration: nothing known


@needs_shared
def test_fixes_on_real_files_leave_nothing_for_their_rules():
    fixed = {"typography": 0, "clips-to-duration": 0}
    for path in sorted((CORPUS / "episodes").glob("*.md")):
        try:
            front = fm.parse(path.read_bytes()).front
        except fm.FormatError:
            continue
        typography = fixes.FIXES["typography"].apply(front)
        fixed["typography"] += bool(typography)
        # The front matter's part of the fix alone (the section headers': test_fixes_more.py).
        after = {**front, **typography, "transcript": []}
        assert rule_findings(after, "typography") == [], path.name
        clips = fixes.FIXES["clips-to-duration"].apply(front)
        fixed["clips-to-duration"] += bool(clips)
        past_end = [
            f for f in rule_findings({**front, **clips}, "clip-times") if "after the episode's end" in f.message
        ]
        assert past_end == [], path.name
    assert fixed["typography"] and fixed["clips-to-duration"]  # the corpus has both problems


@pytest.mark.django_db
def test_the_service_previews_then_writes_one_revision_per_episode():
    one = make_episode("one", title="Non\u2011breaking", description="A description that ends.")
    make_episode("two", title="Plain")
    revisions = Revision.objects.count()
    ids = list(Episode.objects.values_list("pk", flat=True))
    preview = episodes_fix(episode_ids=ids, fix="typography", dry_run=True)
    assert [(c.episode.slug, c.lines) for c in preview] == [("one", [("title", "Non\u2011breaking", "Non-breaking")])]
    assert Revision.objects.count() == revisions and Episode.objects.get(pk=one.pk).title == "Non\u2011breaking"
    assert EpisodeProblem.objects.filter(episode=one, rule="typography").exists()
    episodes_fix(episode_ids=ids, fix="typography")
    assert Episode.objects.get(pk=one.pk).title == "Non-breaking" and Revision.objects.count() == revisions + 1
    assert not EpisodeProblem.objects.filter(episode=one, rule="typography").exists()
    episodes_fix(episode_ids=ids, fix="description-period")
    assert episode_extra(Episode.objects.get(pk=one.pk))["description"] == "A description that ends"
    with pytest.raises(ServiceError):
        episodes_fix(episode_ids=ids, fix="nothing")


@pytest.mark.django_db
def test_the_list_action_leads_to_a_preview_then_applies(admin_client):
    one = make_episode("one", title="Curly \u201cquotes\u201d")
    make_episode("two", title="Plain")
    changelist = reverse("admin:episodes_episode_changelist")
    response = admin_client.post(
        changelist, {"action": "fix_selected", "_selected_action": list(Episode.objects.values_list("pk", flat=True))}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:episodes_episode_fix"))
    page = admin_client.get(response["Location"]).content.decode()
    assert "Fix for the 2 selected episodes" in page
    ids = response["Location"].split("ids=")[1]
    page = admin_client.post(reverse("admin:episodes_episode_fix"), {"ids": ids, "fix": "typography", "preview": ""})
    text = page.content.decode()
    assert "Preview: nothing changed yet" in text and "1 episode would change" in text
    assert "Curly \u201cquotes\u201d" in text and "Curly &quot;quotes&quot;" in text
    assert Episode.objects.get(pk=one.pk).title == "Curly \u201cquotes\u201d"
    versions = page.context["versions"]
    assert versions == f"{one.pk}:{one.version}"
    refused = admin_client.post(reverse("admin:episodes_episode_fix"), {"ids": ids, "fix": "typography", "apply": ""})
    assert refused.status_code == 302 and Episode.objects.get(pk=one.pk).title == "Curly \u201cquotes\u201d"
    response = admin_client.post(
        reverse("admin:episodes_episode_fix"), {"ids": ids, "fix": "typography", "versions": versions, "apply": ""}
    )
    assert response.status_code == 302 and Episode.objects.get(pk=one.pk).title == 'Curly "quotes"'
    assert admin_client.post(reverse("admin:episodes_episode_fix"), {"ids": "", "fix": "typography"}).status_code == 302
