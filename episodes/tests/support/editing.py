"""Helpers for the editor's browser tests: a logged-in page, a stub of YouTube's IFrame API, problems seen.

No test may reach the network: requests to other hosts are answered by the stub (the IFrame API script)
or aborted, and recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from episodes.models import Revision

IFRAME_API = "https://www.youtube.com/iframe_api"
SIDEBAR_CLOSED = "window.localStorage.setItem('django.admin.navSidebarIsOpen', 'false')"  # read by nav_sidebar.js

# What the editor's and the public pages' players use of YouTube's IFrame API, recording every call in
# window.playerCalls. As the real one, the player is an iframe that takes the place (and id) of its element.
YOUTUBE_STUB = """
window.playerCalls = [];
window.YT = {
  PlayerState: {UNSTARTED: -1, ENDED: 0, PLAYING: 1, PAUSED: 2, BUFFERING: 3, CUED: 5},
  Player: function (id, options) {
    var self = this, state = -1, vars = options.playerVars || {}, time = vars.start || 0;
    var target = typeof id === "string" ? document.getElementById(id) : id, frame = document.createElement("iframe");
    frame.id = target.id;
    frame.title = "YouTube video player";
    target.replaceWith(frame);
    window.player = self;
    var element = typeof id === "string" ? id : "element";
    window.playerOptions = {host: options.host, videoId: options.videoId, element: element};
    if ("start" in vars) window.playerOptions.start = vars.start;
    self.getIframe = function () { return frame; };
    function record(call) { window.playerCalls.push(call); }
    function to(next) { state = next; options.events.onStateChange({data: next, target: self}); }
    self.seekTo = function (sec) { record(["seekTo", sec]); time = sec; };
    self.playVideo = function () { record(["playVideo"]); to(1); };
    self.pauseVideo = function () { record(["pauseVideo"]); to(2); };
    self.getPlayerState = function () { return state; };
    self.getCurrentTime = function () { return time; };
    self.setCurrentTime = function (sec) { time = sec; };  // the test's clock, as if the video played on
    setTimeout(function () { options.events.onReady({target: self}); }, 0);
  }
};
if (window.onYouTubeIframeAPIReady) window.onYouTubeIframeAPIReady();
"""


@dataclass
class Session:
    context: object
    page: object
    problems: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)  # requests to other hosts
    dialogs: list[tuple[str, str]] = field(default_factory=list)  # (type, message) of every dialog shown
    unload: str = "accept"  # the answer to "leave the page?" (beforeunload): "accept" or "dismiss"

    def answer(self, dialog):
        """Record a dialog; accept it, or dismiss a "leave the page?" when the test says so."""
        self.dialogs.append((dialog.type, dialog.message))
        if dialog.type == "beforeunload" and self.unload == "dismiss":
            dialog.dismiss()
        else:
            dialog.accept()

    def close(self):
        self.context.close()


def editor_session(browser, live_server, username: str, password: str, *, sidebar: bool = True, **options) -> Session:
    """Log in to the admin in a new browser context whose YouTube is the stub; collect console errors.

    ``sidebar=False`` opens every page with the admin's navigation sidebar collapsed, as its toggle leaves it.
    """
    options.setdefault("viewport", {"width": 1366, "height": 900})
    context = browser.new_context(**options)
    if not sidebar:
        context.add_init_script(SIDEBAR_CLOSED)
    local = urlsplit(live_server.url).hostname
    session = Session(context, None)

    def route(route):
        url = route.request.url
        if urlsplit(url).hostname == local:
            route.continue_()
            return
        session.elsewhere.append(url)
        if url.startswith(IFRAME_API):
            route.fulfill(status=200, content_type="text/javascript", body=YOUTUBE_STUB)
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    session.page = page
    page.on("console", lambda m: session.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: session.problems.append(f"page error: {exc}"))
    page.on("dialog", session.answer)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return session


def apply_as_job(page, button: str, episodes: int) -> None:
    """Click ``button``, which starts a job over ``episodes`` episodes; wait on the job's page until all are done,
    its report says they were updated, and each has one new revision."""
    revisions = Revision.objects.count()
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/admin/episodes/job/*/change/")
    page.locator(f"#job-bar[value='{episodes}']").wait_for()
    assert f"{episodes} updated" in page.locator("#content-main").inner_text()
    assert Revision.objects.count() == revisions + episodes
