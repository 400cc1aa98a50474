"""Files the site hides (drafts) and its templates, through pull, push and import: repositories made from the corpus."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from episodes.format import frontmatter as fm
from episodes.models import Episode
from episodes.services import episode_save
from episodes.services import site as site_sync
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import CORPUS, PEOPLE, make_site, pull

pytestmark = [pytest.mark.django_db, needs_shared]

HIDDEN = "_s12e08"
HIDDEN_PATH = f"_podcast/{HIDDEN}.md"
BROKEN = "_theme-park-crowd-modeling-to-tesla-full-stack-data-engineering"
BROKEN_PATH = f"_podcast/{BROKEN}.md"
DATAOPS = "dataops-for-data-engineering"
DATAOPS_PATH = f"_podcast/{DATAOPS}.md"
# The shape of the site's own people template: placeholders, not YAML.
PEOPLE_TEMPLATE = "---\nshort: {{ key }}\ntitle: {{ name }}\npicture: images/people/{{ key }}.jpg\n---\n\n{{ bio }}\n"


def make_drafts_site(root, *, broken: bool = False):
    names = [HIDDEN, "_template", DATAOPS] + ([BROKEN] * broken)
    site = make_site(root, episodes=names, people=[*PEOPLE, "jekaterinakokatjuhha"])
    site.write("_people/_template.md", PEOPLE_TEMPLATE)
    site.commit("Templates for new files")
    return site


def said(report) -> dict[str, str]:
    return {line.path: str(line) for line in report.files}


def test_first_pull_skips_templates_makes_hidden_files_drafts_and_refuses_a_broken_one(tmp_path, client):
    site = make_drafts_site(tmp_path / "site", broken=True)
    report = pull(site)
    lines = said(report)
    assert lines["_podcast/_template.md"] == "_podcast/_template.md: template, skipped"
    assert lines["_people/_template.md"] == "_people/_template.md: template, skipped"
    assert lines[HIDDEN_PATH] == f"{HIDDEN_PATH}: created ({HIDDEN}, a draft: the site hides this file)"
    assert [str(line) for line in report.problems] == [
        f"{BROKEN_PATH}:1: the file must start with a '---' line opening the front matter, not '_'"
    ]
    assert report.counts()["skipped"] == 2
    hidden = Episode.objects.get(slug=HIDDEN)
    assert hidden.status == Episode.Status.DRAFT and hidden.site_file.path == HIDDEN_PATH
    assert Episode.objects.get(slug=DATAOPS).status == Episode.Status.PUBLISHED
    # No public page, feed item, sitemap entry or search hit; the episode beside it has them all.
    assert client.get(f"/episodes/{HIDDEN}/").status_code == 404
    assert client.get(f"/podcast/{HIDDEN}.html").status_code == 404
    for address in ("/feed.xml", "/sitemap.xml", "/search/?q=bioinformatics", "/episodes/"):
        page = client.get(address).content.decode()
        assert HIDDEN not in page, address
    assert DATAOPS in client.get("/feed.xml").content.decode()
    assert DATAOPS in client.get("/sitemap.xml").content.decode()


def test_pull_command_exits_0_when_only_templates_are_skipped_and_1_when_a_file_is_refused(tmp_path):
    site = make_drafts_site(tmp_path / "site")
    out = io.StringIO()
    call_command("sync_site", "pull", "--repo", str(site.root), stdout=out, stderr=io.StringIO())
    assert "_podcast/_template.md: template, skipped" in out.getvalue()
    site.write(BROKEN_PATH, (CORPUS / "episodes" / f"{BROKEN}.md").read_bytes())
    site.commit("A broken hidden file")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("sync_site", "pull", "--repo", str(site.root), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert f"{BROKEN_PATH}:1: " in err.getvalue()


def test_an_edited_hidden_draft_is_pushed_under_its_own_name(tmp_path):
    site = make_drafts_site(tmp_path / "site")
    pull(site)
    episode_save(episode=Episode.objects.get(slug=HIDDEN), fields={"title": "Still hidden, retitled"})
    assert [pending.path for pending in site_sync.pending_changes().files] == [HIDDEN_PATH]
    report = site_sync.site_push(repo=str(site.root))
    assert [written.path for written in report.files] == [HIDDEN_PATH]
    assert site.git("diff", "--name-only", f"{report.commit}^", report.commit).split() == [HIDDEN_PATH]
    assert fm.parse(site.show(report.commit, HIDDEN_PATH)).front["title"] == "Still hidden, retitled"
    assert Episode.objects.get(slug=HIDDEN).status == Episode.Status.DRAFT


def test_published_false_makes_a_draft_and_removing_it_publishes_again(tmp_path, client):
    site = make_drafts_site(tmp_path / "site")
    pull(site)
    site.replace(DATAOPS_PATH, "---\n", "---\npublished: false\n")
    site.commit("Hide dataops for now")
    assert said(pull(site))[DATAOPS_PATH] == f"{DATAOPS_PATH}: updated ({DATAOPS}, a draft: the site hides this file)"
    assert Episode.objects.get(slug=DATAOPS).status == Episode.Status.DRAFT
    assert client.get(f"/episodes/{DATAOPS}/").status_code == 404
    site.replace(DATAOPS_PATH, "published: false\n", "")
    site.commit("Show dataops again")
    pull(site)
    assert Episode.objects.get(slug=DATAOPS).status == Episode.Status.PUBLISHED
    assert client.get(f"/episodes/{DATAOPS}/").status_code == 200


def test_a_draft_made_in_the_cms_stays_a_draft_when_its_shown_file_changes(tmp_path):
    site = make_drafts_site(tmp_path / "site")
    pull(site)
    Episode.objects.filter(slug=DATAOPS).update(status=Episode.Status.DRAFT)
    site.replace(DATAOPS_PATH, "title: ", "title: Changed - ")
    site.commit()
    pull(site)
    assert Episode.objects.get(slug=DATAOPS).status == Episode.Status.DRAFT


def test_renaming_a_hidden_file_to_a_shown_name_publishes_it(tmp_path, client):
    site = make_drafts_site(tmp_path / "site")
    pull(site)
    site.git("mv", HIDDEN_PATH, "_podcast/s12e08-data-generalist.md")
    site.commit("Publish 12-08")
    pull(site)
    episode = Episode.objects.get(slug="s12e08-data-generalist")
    assert episode.status == Episode.Status.PUBLISHED
    assert client.get("/episodes/s12e08-data-generalist/").status_code == 200
    site.git("mv", "_podcast/s12e08-data-generalist.md", HIDDEN_PATH)
    site.commit("Hide 12-08 again")
    pull(site)
    assert Episode.objects.get(pk=episode.pk).status == Episode.Status.DRAFT


def test_import_episodes_of_a_hidden_file_makes_a_draft():
    call_command("import_episodes", str(CORPUS / "episodes" / f"{HIDDEN}.md"), stdout=io.StringIO())
    assert Episode.objects.get(slug=HIDDEN).status == Episode.Status.DRAFT


def test_status_tells_a_changed_template_would_be_skipped(tmp_path):
    site = make_drafts_site(tmp_path / "site")
    pull(site)
    site.write("_people/_template.md", PEOPLE_TEMPLATE + "\nMore about {{ name }}.\n")
    site.commit("A longer template")
    lines = site_sync.site_status(repo=str(site.root)).lines()
    assert "  template, skipped: _people/_template.md" in lines
    assert said(pull(site)) == {"_people/_template.md": "_people/_template.md: template, skipped"}
