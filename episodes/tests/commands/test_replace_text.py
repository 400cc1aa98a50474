"""replace_text: matches in context, a dry run, one revision per episode, exit statuses."""

from functools import partial

import pytest

from episodes.models import Episode, Revision
from episodes.tests.support.commands import run_command
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.django_db


run = partial(run_command, "replace_text")


def test_a_dry_run_prints_each_match_then_a_run_replaces():
    make_episode("one", title="Talk on mlops and AutoMLOps")
    make_episode("two", title="Other", intro="Nothing about it")
    revisions = Revision.objects.count()
    status, out, _ = run("mlops", "MLOps", "--whole-words", "--field", "title", "--dry-run")
    assert status == 0 and out.splitlines() == [
        "one: title: …Talk on [mlops → MLOps] and AutoMLOps…",
        "1 match(es) in 1 episode(s).",
    ]
    assert Revision.objects.count() == revisions
    status, out, _ = run("mlops", "MLOps", "one", "--whole-words", "--field", "title")
    assert status == 0 and "Replaced in 1 episode(s), one revision each." in out
    assert Episode.objects.get(slug="one").title == "Talk on MLOps and AutoMLOps"
    assert Revision.objects.count() == revisions + 1
    assert run("mlops", "x", "--whole-words", "--case-sensitive")[1] == "0 match(es) in 0 episode(s).\n"


def test_a_search_that_cannot_run_exits_2():
    make_episode("one", title="Talk")
    status, _, err = run("(", "x", "--regex")
    assert status == 2 and "The regular expression is not valid" in err
    status, _, err = run("Talk", "x", "nowhere")
    assert status == 2 and "No such episode: nowhere" in err
