"""The editor in a real browser: an editor renames a speaker, reassigns a range of turns, moves a section
header, reorders and adds a body link, edits a turn by keyboard, saves, and exports. The export must be
the original file with exactly those edits, and the page must log no console errors.
"""

import difflib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from episodes.format import frontmatter as fm
from episodes.models import Episode
from episodes.tests.support.editing import editor_session

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seed_with_people")]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_editor_fixes_an_episode_and_exports_only_those_edits(browser, live_server, editor_login, seed_text):
    ARTIFACTS.mkdir(exist_ok=True)
    session = editor_session(browser, live_server, *editor_login)
    page, problems, context = session.page, session.problems, session.context
    episode = Episode.objects.get()
    change = f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/"
    page.goto(change)

    page.evaluate("window.stillThisPage = true")  # gone if anything below reloads the page

    # 1. Rename a speaker everywhere from the speakers panel: in the background, no reload.
    rename = page.get_by_label("New label for Danny")
    rename.fill("Danny Leybzon")
    rename.press("Enter")
    status = page.locator("#op-status")
    status.get_by_text("Renamed Danny to Danny Leybzon in 89 turns.").wait_for()
    assert page.locator("input[name$='-who'][value='Danny Leybzon']").count() == 89

    # 2. Select turns 5-7 with a click and a shift-click, and give them to Alexey.
    page.locator("#item-4 input[type=checkbox]").click()
    page.locator("#item-6 input[type=checkbox]").click(modifiers=["Shift"])
    assert page.locator(".selection-count").inner_text() == "3 selected"
    page.locator(".transcript-toolbar input[name=who]").fill("Alexey")
    page.locator(".transcript-toolbar").get_by_role("button", name="Assign").click()
    status.get_by_text("Gave 2 turns to Alexey.").wait_for()
    assert page.locator(".selection-count").inner_text() == "3 selected"  # the selection stays
    page.locator(".select-all").check()
    page.locator(".select-all").uncheck()

    # 3. Move the first section header up by one turn.
    page.locator("#item-3").get_by_role("button", name="Move this header up one turn").click()
    status.get_by_text("Moved the header one turn up.").wait_for()
    assert page.locator("#item-2 input.header-title").input_value() == "Danny’s background"
    assert page.evaluate("window.stillThisPage") is True

    # 4. Reorder the body links (second link first) and add a new one.
    links = page.locator("#body_links-group")
    links.locator("tr.form-row").nth(1).get_by_role("button", name="Move up").click()
    links.get_by_text("Add another Body link").click()
    new_row = links.locator("tr.form-row.dynamic-body_links").last
    new_row.locator("input[type=text][name$='-text']").fill("DataTalks.Club")
    new_row.locator("input[type=text][name$='-url']").fill("https://datatalks.club/")

    # 5. Fix a turn's text by keyboard and save with Ctrl+S.
    text = page.locator("#item-0 textarea")
    text.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Welcome!")
    page.screenshot(path=ARTIFACTS / "editor-before-save.png", full_page=False)
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    # 6. Review the changes in words, then export.
    page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/export/")
    page.screenshot(path=ARTIFACTS / "editor-export-preview.png", full_page=False)
    said = page.locator(".change-list").inner_text()
    assert "turn 4 at 2:58: speaker Danny → Danny Leybzon" in said, said
    assert "section 'Danny’s background' moved from before turn 5 at 3:12 to before turn 4 at 2:58" in said, said
    response = page.request.get(f"{live_server.url}/admin/episodes/episode/{episode.pk}/export/?download=1")
    exported = response.text()
    context.close()

    assert exported == expected_export(seed_text)
    changed = [
        line[1:]
        for line in difflib.unified_diff(seed_text.splitlines(), exported.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # The edits, and nothing else: speaker lines, the moved header, the edited sentence, the links.
    assert "  who: Danny Leybzon" in changed and "- header: Danny’s background" in changed
    assert '* [DataTalks.Club](https://datatalks.club/){:target="_blank"}' in changed
    others = [line for line in changed if not line.startswith("  who: ")]
    assert len(others) <= 16, others
    assert not problems, problems


def expected_export(original: str) -> str:
    """Apply the browser's edits to the original data and write it canonically."""
    doc = fm.parse(original)
    items = doc.front["transcript"]
    for item in items:
        if item.get("who") == "Danny":
            item["who"] = "Danny Leybzon"
    for position in (4, 5, 6):
        if "who" in items[position]:
            items[position]["who"] = "Alexey"
    items[2], items[3] = items[3], items[2]
    items[0]["line"] += " Welcome!"
    body = fm.split_body(doc.body)
    body.links[0], body.links[1] = body.links[1], body.links[0]
    body.links.append(fm.Link(text="DataTalks.Club", url="https://datatalks.club/", marker="*", new_tab=True))
    return fm.render(doc.front, body.render(), doc.closing)


def _login(browser, live_server, username, password, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    return context, page


def _two_editors(browser, live_server, editor_login, django_user_model, **second_options):
    """Log in a second editor next to the first; both open the episode's change page."""
    second = django_user_model.objects.create_user("second", password="another good password", is_staff=True)
    second.groups.add(Group.objects.get(name="Editors"))
    episode = Episode.objects.get()
    change = f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/"
    first_context, first = _login(browser, live_server, *editor_login)
    second_context, other = _login(browser, live_server, "second", "another good password", **second_options)
    first.goto(change)
    other.goto(change)
    return episode, (first_context, first), (second_context, other)


def test_two_editors_saving_different_turns_both_land_merged(browser, live_server, editor_login, django_user_model):
    episode, (first_context, first), (second_context, other) = _two_editors(
        browser, live_server, editor_login, django_user_model
    )

    first.fill("#id_title", "Title from the first editor")
    first.locator("#item-0 textarea").fill("The first editor's words.")
    with first.expect_navigation():
        first.locator("input[name=_continue]").click()
    assert "was changed successfully" in first.locator(".messagelist").inner_text()

    other.fill("#id_short", "Short title from the second editor")
    other.locator("#item-5 textarea").fill("The second editor's words.")
    with other.expect_navigation():
        other.locator("input[name=_continue]").click()
    said = other.locator(".messagelist").inner_text()
    assert "Saved, merged with editor's save of" in said and "(title, turn 1)" in said, said
    # The page now shows both editors' work.
    assert other.locator("#id_title").input_value() == "Title from the first editor"
    assert other.locator("#item-0 textarea").input_value() == "The first editor's words."
    assert other.locator("#item-5 textarea").input_value() == "The second editor's words."
    first_context.close()
    second_context.close()
    episode.refresh_from_db()
    assert episode.title == "Title from the first editor"
    assert episode.short == "Short title from the second editor"
    assert episode.items.get(position=0).text == "The first editor's words."
    assert episode.items.get(position=5).text == "The second editor's words."


def test_two_editors_changing_the_same_turn_choose_on_its_row(browser, live_server, editor_login, django_user_model):
    episode, (first_context, first), (second_context, other) = _two_editors(
        browser, live_server, editor_login, django_user_model
    )
    first.locator("#item-5 textarea").fill("The first editor's words.")
    with first.expect_navigation():
        first.locator("input[name=_continue]").click()

    other.locator("#item-5 textarea").fill("The second editor's words.")
    other.locator("#item-8 textarea").fill("Elsewhere, by the second editor.")
    with other.expect_navigation():
        other.locator("input[name=_continue]").click()
    # Not a generic error: the conflict is on its row, with both values and the choice; the typing is kept.
    assert other.locator(".errornote").count() == 0
    assert "changed the same thing since you opened the page" in other.locator(".merge-conflict").inner_text()
    row = other.locator("#item-5")
    assert "The first editor's words." in row.locator(".merge-choice").text_content()
    assert row.locator("textarea").input_value() == "The second editor's words."
    assert other.locator("#item-8 textarea").input_value() == "Elsewhere, by the second editor."
    # Take theirs puts the saved text back in the box; keep mine brings the typing back; theirs it is.
    row.get_by_label("Take theirs").check()
    assert row.locator("textarea").input_value() == "The first editor's words."
    row.get_by_label("Keep mine").check()
    assert row.locator("textarea").input_value() == "The second editor's words."
    row.get_by_label("Take theirs").check()
    with other.expect_navigation():
        other.locator("input[name=_continue]").click()
    assert "was changed successfully" in other.locator(".messagelist").inner_text()
    first_context.close()
    second_context.close()
    assert episode.items.get(position=5).text == "The first editor's words."
    assert episode.items.get(position=8).text == "Elsewhere, by the second editor."


def test_a_save_without_javascript_merges_and_does_not_undo_the_other_editors_words(
    browser, live_server, editor_login, django_user_model
):
    episode, (first_context, first), (second_context, other) = _two_editors(
        browser, live_server, editor_login, django_user_model, java_script_enabled=False
    )

    first.locator("#item-0 textarea").fill("The first editor's words.")
    with first.expect_navigation():
        first.locator("input[name=_continue]").click()
    assert "was changed successfully" in first.locator(".messagelist").inner_text()

    # Without JavaScript the page sends every turn, the first one as it was when the page loaded.
    other.locator("#item-5 textarea").fill("The second editor's words.")
    with other.expect_navigation():
        other.locator("input[name=_continue]").click()
    assert "Saved, merged with editor's save of" in other.locator(".messagelist").inner_text()
    assert other.locator("#item-0 textarea").input_value() == "The first editor's words."
    assert other.locator("#item-5 textarea").input_value() == "The second editor's words."
    first_context.close()
    second_context.close()
    texts = dict(episode.items.values_list("position", "text"))
    assert (texts[0], texts[5]) == ("The first editor's words.", "The second editor's words.")


def _open(session, live_server, episode):
    session.page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/")
    session.page.evaluate("window.stillThisPage = true")
    return session.page


@pytest.fixture
def opened(browser, live_server, editor_login):
    """The editor's page of the seed episode in a logged-in browser; no console error may happen on it."""

    def open_page(**options):
        session = editor_session(browser, live_server, *editor_login, **options)
        sessions.append(session)
        episode = Episode.objects.get()
        return session, episode, _open(session, live_server, episode)

    sessions = []
    yield open_page
    for session in sessions:
        session.close()
        assert not session.problems, session.problems


def test_a_save_without_changes_records_nothing_and_leaves_the_other_tab_current(
    browser, live_server, editor_login, django_user_model
):
    episode, (first_context, first), (second_context, other) = _two_editors(
        browser, live_server, editor_login, django_user_model
    )
    with first.expect_navigation():
        first.keyboard.press("Control+s")
    assert "No changes: nothing was saved." in first.locator(".messagelist").inner_text()
    episode.refresh_from_db()
    assert episode.version == 1 and episode.revisions.count() == 1
    other.fill("#id_short", "A change from the other tab")
    with other.expect_navigation():
        other.locator("input[name=_continue]").click()
    assert "was changed successfully" in other.locator(".messagelist").inner_text()
    first_context.close()
    second_context.close()


def test_operations_keep_unsaved_typing_and_undo_in_one_click(opened):
    session, episode, page = opened()
    typed = page.locator("#item-10 textarea")
    typed.fill("Typed and not saved yet.")
    # Insert a turn above it: every later row moves down one, the typing goes with its turn.
    page.locator("#item-2").get_by_role("button", name="Add a turn after this one").click()
    page.locator("#op-status").get_by_text("Added a turn").wait_for()
    assert page.locator("#item-11 textarea").input_value() == "Typed and not saved yet."
    assert "changed" in page.locator("#item-11").get_attribute("class")
    page.locator("#op-status").get_by_role("button", name="Undo").click()
    page.locator("#op-status").get_by_text("Undone: back to version 1.").wait_for()
    assert page.locator("#item-10 textarea").input_value() == "Typed and not saved yet."
    assert page.locator("#transcript-table tbody tr").count() == episode.items.count()
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert episode.items.get(position=10).text == "Typed and not saved yet."


def test_the_player_seeks_from_a_turn_and_follows_what_plays(opened):
    session, episode, page = opened()
    page.wait_for_function("window.player !== undefined")
    assert page.evaluate("window.playerOptions") == {
        "host": "https://www.youtube-nocookie.com",
        "videoId": "p1gVaS4Zx5M",
        "element": "player",
    }
    turn = episode.items.filter(kind="turn", sec__isnull=False).order_by("position")[5]
    page.locator(f"#item-{turn.position} button.seek").click()
    page.wait_for_function("window.playerCalls.length >= 2")
    assert page.evaluate("window.playerCalls")[:2] == [["seekTo", turn.sec], ["playVideo"]]
    assert "playing" in page.locator(f"#item-{turn.position}").get_attribute("class")
    # The video plays on: the turn being heard is highlighted and kept in view.
    later = episode.items.filter(kind="turn", sec__isnull=False).order_by("position")[120]
    page.evaluate(f"window.player.setCurrentTime({later.sec})")
    page.wait_for_function(f"document.querySelector('#item-{later.position}').classList.contains('playing')")
    assert page.locator(f"#item-{later.position}").is_visible()
    box = page.locator(f"#item-{later.position}").bounding_box()
    assert 0 <= box["y"] <= 900
    # Space pauses (focus outside any text box).
    page.locator("h1").click()
    page.keyboard.press("Space")
    page.wait_for_function("window.playerCalls.some(c => c[0] === 'pauseVideo')")
    assert session.elsewhere == ["https://www.youtube.com/iframe_api"]


def test_keys_move_between_turns_and_give_them_to_a_numbered_speaker(opened):
    session, episode, page = opened()
    page.locator("#item-4 td.num").click()
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    assert "current" in page.locator("#item-6").get_attribute("class")
    page.keyboard.press("k")
    assert "current" in page.locator("#item-5").get_attribute("class")
    speakers = page.locator("#panel-speakers tr[data-key]")
    second = speakers.nth(1).get_attribute("data-label")
    page.keyboard.press("2")
    page.locator("#op-status").get_by_text(f"to {second}.").wait_for()
    assert episode.items.get(position=5).who == second
    # Enter in a one-line field goes to the same field of the next turn; it never submits the page.
    who = page.locator("#item-7 input[name$='-who']")
    who.click()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == page.locator("#item-8 input[name$='-who']").get_attribute(
        "name"
    )
    assert page.evaluate("window.stillThisPage") is True


def test_no_youtube_id_means_no_player_and_no_request(opened):
    Episode.objects.get().platform_refs.all().delete()
    session, episode, page = opened()
    page.locator("#transcript-table").wait_for()
    assert page.locator("#player-panel").count() == 0 and page.locator("button.seek").count() > 0
    page.locator("button.seek").first.click()  # nothing to seek: no error
    assert session.elsewhere == []


# A wide screen; a laptop with the admin's sidebar open and closed (issue 19); a small laptop; a tablet with
# the sidebar open and closed.
WIDTHS = [(1366, True), (1280, True), (1280, False), (1024, True), (768, True), (768, False)]


@pytest.mark.parametrize(("width", "sidebar"), WIDTHS)
def test_the_editor_is_usable_and_accessible_from_768_px(opened, width, sidebar):
    from axe_playwright_python.sync_playwright import Axe

    Episode.objects.update(title="A very long episode title that an editor gave it to see what the buttons do " * 2)
    session, episode, page = opened(viewport={"width": width, "height": 900}, sidebar=sidebar)
    assert ("shifted" in page.locator("#main").get_attribute("class")) == sidebar
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    text, table = page.locator("#item-0 textarea").bounding_box(), page.locator("#transcript-table").bounding_box()
    assert text["width"] >= table["width"] / 2, (text, table)
    title, tools = page.locator("#content h1").bounding_box(), page.locator(".object-tools").bounding_box()
    overlap = not (tools["y"] >= title["y"] + title["height"] or title["y"] >= tools["y"] + tools["height"])
    assert not overlap or tools["x"] >= title["x"] + title["width"], (title, tools)
    page.screenshot(path=ARTIFACTS / f"editor-{width}{'' if sidebar else '-no-sidebar'}.png", full_page=False)
    results = Axe().run(page)
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert not found, found


def test_a_save_too_big_to_send_says_so_and_keeps_the_text(opened, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    session, episode, page = opened()
    page.evaluate(
        """() => { const area = document.querySelector('#item-4 textarea');
        area.value = 'x'.repeat(1200 * 1024); area.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    page.keyboard.press("Control+s")
    page.locator("#op-status").get_by_text("Not saved: your changes are 1.2 MB").wait_for()
    assert page.evaluate("window.stillThisPage") is True
    assert len(page.locator("#item-4 textarea").input_value()) == 1200 * 1024
    assert Episode.objects.get().version == 1


def test_pasted_chapters_place_the_headers_and_rebuild_the_clips_then_undo(opened):
    session, episode, page = opened()
    headers = episode.items.filter(kind="header").count()
    page.locator("#panel-clips summary", has_text="Paste chapters").click()
    page.get_by_label("Chapter list").fill("00:00:00 Opening\n00:10:00 The middle of it\n")
    page.get_by_role("button", name="Place the headers").click()
    page.locator("#op-status").get_by_text("Placed 2 section headers and rebuilt 2 clips.").wait_for()
    titles = page.locator("#transcript-table tr.header input.header-title")
    assert [titles.nth(i).input_value() for i in range(titles.count())] == ["Opening", "The middle of it"]
    clips = page.locator("#panel-clips table.clips tbody tr")
    assert clips.count() == 2 and "The middle of it" in clips.nth(1).inner_text()
    assert "10:00" in clips.nth(1).inner_text()
    assert page.locator("#panel-sections li").count() == 2
    page.locator("#op-status").get_by_role("button", name="Undo").click()
    page.locator("#op-status").get_by_text("Undone: back to version 1.").wait_for()
    assert page.locator("#transcript-table tr.header").count() == headers
    assert page.locator("#panel-clips table.clips").count() == 0
    assert page.evaluate("window.stillThisPage") is True


def _serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize(("width", "sidebar"), [(1366, True), (1280, True), (1280, False), (768, True), (768, False)])
def test_the_editors_other_pages_have_no_serious_axe_findings(opened, live_server, width, sidebar, upload_dir):
    session, episode, page = opened(viewport={"width": width, "height": 900}, sidebar=sidebar)
    page.get_by_label("New label for Danny").fill("Dan")
    page.get_by_label("New label for Danny").press("Enter")
    page.locator("#op-status").get_by_text("Renamed Danny").wait_for()
    page.fill("#id_short", "A short title")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert not _serious(page), ("the editor after a save", _serious(page))
    base = f"{live_server.url}/admin/episodes/episode/"
    first = episode.revisions.order_by("version").first()
    pages = [
        f"{base}{episode.pk}/export/",
        f"{base}{episode.pk}/history/",
        f"{base}{episode.pk}/revert/{first.pk}/",
        f"{base}{episode.pk}/transcript/",
        f"{base}import/",
        f"{base}import-transcript/",
        f"{live_server.url}/admin/episodes/publish/",
    ]
    for url in pages:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), url
        assert not _serious(page), (url, _serious(page))
    # The transcript preview, with its table of items and the file's warnings (a time going backwards).
    page.goto(f"{base}{episode.pk}/transcript/")
    page.get_by_label("…or paste the transcript").fill("0:05\nAlexey\nHello.\n\n0:09\nDanny\nHi.\n\n0:07\nDanny\nNo.\n")
    page.get_by_label("Replace the transcript this episode has").check()
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Preview: nothing changed yet").wait_for()
    assert "pasted transcript.txt:9: the time 0:07 comes after 0:09" in page.locator(".file-warnings").inner_text()
    assert not _serious(page), _serious(page)
