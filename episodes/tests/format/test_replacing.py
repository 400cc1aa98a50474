"""The find-and-replace matcher alone: fields, whole words, case, regular expressions and their errors, the time
limit."""

import pytest

from episodes.format.replacing import (
    ERR_EMPTY,
    ERR_NO_FIELDS,
    Hit,
    Search,
    SearchError,
    Text,
    TooSlow,
    compile_search,
    replace_texts,
)

TEXTS = [
    Text("title", "title", "MLOps and mlops tools"),
    Text("intro", "intro", "We talk about MLOps-based tools and AutoMLOps."),
    Text("turns", "turn 3 (Alexey)", "So, mlops?"),
    Text("speakers", "speaker label", "Alexey"),
]


def run(search: Search, texts=TEXTS, seconds: float = 5.0):
    return {r.text.where: r.new for r in replace_texts(texts, compile_search(search), seconds=seconds)}


def test_plain_text_is_case_insensitive_unless_asked_and_only_in_the_chosen_fields():
    assert run(Search("mlops", "MLOps", fields=("title",))) == {"title": "MLOps and MLOps tools"}
    assert run(Search("mlops", "ML", case_sensitive=True, fields=("title", "turns"))) == {
        "title": "MLOps and ML tools",
        "turn 3 (Alexey)": "So, ML?",
    }
    # Plain text is not a pattern: its dots and brackets are only themselves.
    assert run(Search("a.", "x")) == {}
    assert run(Search("o, m", "o m")) == {"turn 3 (Alexey)": "So mlops?"}


def test_whole_words_leave_longer_words_alone_even_around_punctuation():
    # "MLOps-based" holds the word MLOps; "AutoMLOps" does not.
    assert run(Search("mlops", "X", whole_words=True, fields=("intro",))) == {
        "intro": "We talk about X-based tools and AutoMLOps."
    }
    # A text the replacement leaves as it was is no change.
    assert run(Search("mlops", "MLOps", whole_words=True, fields=("intro", "turns"))) == {
        "turn 3 (Alexey)": "So, MLOps?"
    }
    found = run(Search("-based", " based", whole_words=True, fields=("intro",)))
    assert found == {"intro": "We talk about MLOps based tools and AutoMLOps."}
    assert run(Search("ops", "x", whole_words=True)) == {}


def test_each_match_comes_in_context_with_its_replacement():
    [result] = replace_texts([TEXTS[1]], compile_search(Search("mlops", "ML", case_sensitive=False)), seconds=5)
    assert result.hits == [
        Hit("We talk about ", "MLOps", "ML", "-based tools and AutoMLOps."),
        Hit("We talk about MLOps-based tools and Auto", "MLOps", "ML", "."),
    ]
    long = Text("turns", "turn 1", "x" * 100 + "needle" + "y" * 100)
    [result] = replace_texts([long], compile_search(Search("needle")), seconds=5)
    assert result.hits == [Hit("x" * 40, "needle", "", "y" * 40)] and result.new == "x" * 100 + "y" * 100


def test_regular_expressions_with_groups_and_their_errors():
    assert run(Search(r"(\w+)-based", r"based on \1", regex=True)) == {
        "intro": "We talk about based on MLOps tools and AutoMLOps."
    }
    assert run(Search(r"(?P<w>tools)", r"<\g<w>>", regex=True, fields=("title",))) == {
        "title": "MLOps and mlops <tools>"
    }
    with pytest.raises(SearchError, match="The regular expression is not valid: missing \\) at position 6"):
        compile_search(Search("(tools", regex=True))
    with pytest.raises(SearchError, match="The replacement is not valid .*: (invalid group reference|no such group)"):
        run(Search("tools", r"\2", regex=True))
    with pytest.raises(SearchError, match=ERR_EMPTY):
        compile_search(Search(""))
    with pytest.raises(SearchError, match=ERR_NO_FIELDS):
        compile_search(Search("x", fields=()))
    with pytest.raises(SearchError, match="There is no field 'body'"):
        compile_search(Search("x", fields=("body",)))
    # Outside regular expressions the replacement is taken as it is, backslashes included.
    assert run(Search("tools", r"\1", fields=("title",))) == {"title": "MLOps and mlops \\1"}


def test_a_search_that_backtracks_without_end_is_stopped_with_a_message():
    slow = compile_search(Search(r"(a|aa)+$", regex=True))
    texts = [Text("turns", "turn 7 (Jane)", "a" * 60 + "!")]
    with pytest.raises(TooSlow, match=r"more than 0.2 s on episode s1e1 \(turn 7 \(Jane\)\)"):
        replace_texts(texts, slow, seconds=0.2, what="episode s1e1")


def test_the_limit_is_for_all_the_texts_of_one_episode():
    ticks = iter(range(100))
    texts = [Text("turns", f"turn {i}", "abc") for i in range(1, 10)]
    # A clock that moves one second per text read: the fourth text has no time left of three seconds.
    with pytest.raises(TooSlow, match=r"turn 3\)"):
        replace_texts(texts, compile_search(Search("b")), seconds=3, clock=lambda: next(ticks))


def test_a_search_goes_to_and_from_a_job_s_arguments():
    search = Search("a", "b", regex=True, whole_words=True, fields=("title", "turns"))
    assert Search.from_dict(search.as_dict()) == search
    assert Search("x" * 100, "y").describe(limit=10) == '"xxxxxxxxx…" → "y"'
