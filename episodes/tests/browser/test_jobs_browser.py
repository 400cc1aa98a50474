"""A pull started from the Publish page, run by a real worker, watched in Chromium until its bar is full."""

import time

import pytest

from episodes.models import Job
from episodes.tests.services.test_jobs_worker import db_tasks, workers  # noqa: F401 - the worker fixtures
from episodes.tests.support.editing import editor_session
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import make_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@needs_shared
def test_a_pull_s_bar_moves_to_done_on_the_job_s_page(browser, live_server, tmp_path, django_user_model, request):
    settings, start_worker = request.getfixturevalue("db_tasks"), request.getfixturevalue("workers")
    django_user_model.objects.create_superuser("boss", "boss@example.com", "a-long-password")
    site = make_site(tmp_path / "site")
    settings.SITE_REPO = str(site.root)
    start_worker()
    session = editor_session(browser, live_server, "boss", "a-long-password")
    page = session.page
    page.goto(live_server.url + "/admin/episodes/publish/")
    page.click("input[value='Pull from the site']")
    page.wait_for_url("**/admin/episodes/job/*/change/")
    seen = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = page.evaluate(
            """() => ({status: document.querySelector('.job-status').textContent,
                       value: document.querySelector('#job-bar').getAttribute('value'),
                       max: document.querySelector('#job-bar').getAttribute('max'),
                       lines: document.querySelectorAll('.job-report li').length})"""
        )
        seen.append(state)
        if state["status"] not in ("queued", "running"):
            break
        page.wait_for_timeout(100)
    job = Job.objects.get()
    last = seen[-1]
    assert last["status"] == "succeeded", seen[-3:]
    assert int(last["value"]) == int(last["max"]) == job.total > 0
    values = {int(state["value"]) for state in seen if state["value"] is not None}
    assert len(values) >= 2, "the bar never moved while the page watched"  # it filled in, not only at the end
    assert last["lines"] == len(job.report)  # the live report has every line the job wrote
    assert page.locator(".job-cancel").count() == 0  # nothing to cancel once it is done
    assert session.problems == []
    session.close()
