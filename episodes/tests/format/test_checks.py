"""The editorial rules (episodes.format.checks): each rule on small cases, then on the real corpus.

The corpus tests compare each rule's verdicts with an independent, plainer computation from the same files
(rather than counts written down), and show a real example of each rule where the corpus has one.
"""

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from episodes.format import checks
from episodes.format import frontmatter as fm
from episodes.format.chapters import duration_seconds
from episodes.tests.support.factories import SHARED, make_front, needs_shared

CORPUS = SHARED / "corpus"


def subject(guests=(), curated=None, **overrides) -> checks.Subject:
    front = make_front(**overrides)
    return checks.Subject(front, checks.file_items(front), list(guests), curated)


def found(rule: str, **kwargs) -> list[checks.Finding]:
    limits = checks.limits(kwargs.pop("limits", None))
    return checks.check(subject(**kwargs), limits=limits, rules=[rule])


def messages(rule: str, **kwargs) -> list[str]:
    return [f.message for f in found(rule, **kwargs)]


def clips(*spans, names=None):
    names = names or [f"Clip {i}" for i in range(len(spans))]
    return [{"name": n, "startOffset": s, "endOffset": e} for n, (s, e) in zip(names, spans, strict=True)]


# -- each rule ---------------------------------------------------------------------------------------------


def test_title_length_and_its_setting():
    assert messages("title-length", title="x" * 100) == []
    assert messages("title-length", title="x" * 101) == ["the title is 101 characters, over 100"]
    assert messages("title-length", title="x" * 101, limits={"title_max": 120}) == []
    assert found("title-length", title="x" * 101)[0].path == ("title",)


def test_title_naming_a_guest():
    assert messages("title-guest", title="MLOps with Jane Doe", guests=["Jane Doe"]) == [
        "the title names the guest 'Jane Doe'"
    ]
    assert messages("title-guest", title="MLOps with JANE DOE", guests=["Jane Doe"]) != []
    # A name inside a longer word is not the name.
    assert messages("title-guest", title="Doe-nuts and Jane Doesworth", guests=["Jane Doe"]) == []
    assert messages("title-guest", title="MLOps", guests=["Jane Doe", ""]) == []


def test_description_length_and_plain_text():
    assert messages("description-length", description="x" * 150) == []
    assert messages("description-length", description="x" * 139) == ["the description is 139 characters, not 140–160"]
    assert messages("description-length", description="x" * 161) == ["the description is 161 characters, not 140–160"]
    limits = {"description_min": 10, "description_max": 20}
    assert messages("description-length", description="x" * 15, limits=limits) == []
    assert messages("description-plain", description="Plain: words, commas & dashes — fine.") == []
    assert messages("description-plain", description="One<br>two and [a link](https://x.y) **bold**") == [
        "the description is not plain text: an HTML tag, a markdown link, markdown emphasis"
    ]
    assert messages("description-plain", description="a&nbsp;b\nc") == [
        "the description is not plain text: an HTML entity, a line break"
    ]


def test_intro_words_leave_out_tags_and_lone_dashes():
    assert checks.word_count("One two <br><br> three — four's 4,500+") == 5
    intro = " ".join(["word"] * 149)
    assert messages("intro-length", intro=intro) == ["the intro is 149 words, not 150–200"]
    assert messages("intro-length", intro=intro + " more") == []
    assert messages("intro-length", intro=" ".join(["w"] * 201)) == ["the intro is 201 words, not 150–200"]
    assert messages("intro-length", intro=intro, limits={"intro_min_words": 100}) == []


def test_topics_count_and_curated_list():
    assert messages("topics-count", topics=["a", "b", "c"]) == []
    assert messages("topics-count", topics=["a", "b"]) == ["2 topics, not 3–5"]
    assert messages("topics-count", topics=["a"] * 6) == ["6 topics, not 3–5"]
    assert messages("topics-count", topics="a, b") == ["topics is not a list of topics"]
    assert messages("topics-count", topics=[]) == []  # that is missing-topics
    curated = {"mlops": "MLOps", "data engineering": "Data Engineering"}
    topics = ["MLOps", " data engineering", "Kaggle"]
    assert found("topics-curated", topics=topics) == []  # no curated list known: nothing to compare with
    result = found("topics-curated", topics=topics, curated=curated)
    assert [(f.message, f.path) for f in result] == [("topic 'Kaggle' is not on the curated list", ("topics", 2))]


def headers_front(titles, *, duration=None, clips=None):
    transcript = []
    for i, title in enumerate(titles):
        transcript += [{"header": title}, {"line": f"Turn {i}.", "sec": i * 60, "time": f"{i}:00", "who": "Alexey"}]
    extra = {"duration": duration} if duration else {}
    return {"transcript": transcript, **extra, **({"quotableClips": clips} if clips is not None else {})}


def test_chapters_count_and_repeats():
    assert messages("chapters-count", **headers_front([f"T{i}" for i in range(30)])) == []
    assert messages("chapters-count", **headers_front([f"T{i}" for i in range(31)])) == ["31 chapters, over 30"]
    assert messages("chapters-count", limits={"chapters_max": 40}, **headers_front([f"T{i}" for i in range(31)])) == []
    result = found("chapter-repeated", **headers_front(["Intro", "Career", "career ", "Outro", "Intro"]))
    assert [(f.message, f.path) for f in result] == [("chapter 'career ' comes twice in a row", ("transcript", 4))]


def test_chapter_times_in_order_and_within_the_duration():
    front = headers_front(["A", "B", "C"], duration="PT02M")
    assert messages("chapter-times", **front) == []
    front = headers_front(["A", "B", "C", "D"], duration="PT02M")
    assert messages("chapter-times", **front) == ["chapter 'D' starts at 3:00, after the episode's end (2:00)"]
    front["transcript"][5]["sec"] = 10  # chapter C now starts before B
    assert "chapter 'C' starts at 0:10, before the chapter above it (1:00)" in messages("chapter-times", **front)


def test_clip_times_and_empty_clips():
    front = headers_front(["A", "B"], duration="PT01M30S", clips=clips((0, 60), (60, 90)))
    assert messages("clip-times", **front) == messages("clip-empty", **front) == []
    front["quotableClips"] = clips((0, 60), (60, 95), (50, 50))
    assert messages("clip-times", **front) == [
        "clip 'Clip 1' ends at 1:35, after the episode's end (1:30)",
        "clip 'Clip 2' starts at 0:50, before the clip above it (1:00)",
    ]
    assert messages("clip-empty", **front) == ["clip 'Clip 2' ends at 0:50, not after its start 0:50"]
    assert found("clip-empty", **front)[0].path == ("quotableClips", 2, "endOffset")


def test_clips_without_a_url_are_listed_in_one_warning():
    link = "https://www.youtube.com/watch?v=abcdefghijk"
    front = headers_front(["A", "B"], duration="PT01M30S", clips=clips((0, 60), (60, 90)))
    assert messages("clip-url", **front) == ["2 clips without a url (no link to the video): 'Clip 0', 'Clip 1'"]
    front["quotableClips"][0]["url"] = f"{link}&t=0"
    assert found("clip-url", **front)[0].path == ("quotableClips", 1, "url")
    front["quotableClips"][1]["url"] = " "
    assert messages("clip-url", **front) == ["1 clip without a url (no link to the video): 'Clip 1'"]
    front["quotableClips"][1]["url"] = f"{link}&t=60"
    assert messages("clip-url", **front) == []
    front["quotableClips"] = clips(*[(i, i + 1) for i in range(12)])
    assert messages("clip-url", **front)[0].endswith("'Clip 9' and 2 more")


def test_clip_names_go_with_the_section_their_start_places_a_header_in():
    front = headers_front(["Intro", "Career", "Outro"], clips=clips((0, 60), (60, 120), (120, 130)))
    front["quotableClips"][0]["name"] = "Intro"
    front["quotableClips"][1]["name"] = "Career"
    front["quotableClips"][2]["name"] = "Outro"
    assert messages("clip-names", **front) == []
    front["quotableClips"][1]["name"] = "Career path"
    assert messages("clip-names", **front) == ["clip 'Career path' at 1:00 is not named as its section 'Career'"]
    # The clip of an opening chapter whose header was deleted by hand starts no section.
    transcript = [
        {"line": "Hi.", "sec": 0, "time": "0:00", "who": "Alexey"},
        {"header": "Intro"},
        {"line": "So.", "sec": 30, "time": "0:30", "who": "Alexey"},
    ]
    opening = clips((0, 30), (30, 60), names=["Opening", "Intro"])
    assert messages("clip-names", transcript=transcript, quotableClips=opening) == [
        "clip 'Opening' at 0:00 starts no section"
    ]


def test_turn_repeating_the_one_before():
    transcript = [
        {"line": "Hello there.", "sec": 1, "time": "0:01", "who": "Alexey"},
        {"line": "Hello there. ", "sec": 1, "time": "0:01"},
        {"header": "Next"},
        {"line": "Hello there.", "sec": 5, "time": "0:05", "who": "Jane"},
        {"line": "Something else.", "sec": 9, "time": "0:09", "who": "Jane"},
    ]
    result = found("turn-repeated", transcript=transcript)
    assert [(f.message, f.path) for f in result] == [
        ("turn 2 repeats the text of the turn before it", ("transcript", 1)),
        ("turn 3 repeats the text of the turn before it", ("transcript", 3)),
    ]


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ("missing-description", "description"),
        ("missing-intro", "intro"),
        ("missing-topics", "topics"),
        ("missing-clips", "quotableClips"),
        ("missing-cover", "image"),
    ],
)
def test_missing_values(rule, key):
    present = {"description": "d", "intro": "i", "topics": ["t"], "quotableClips": clips((0, 1)), "image": "x.jpg"}
    assert messages(rule, **present) == []
    for blank in (None, "", "  ", []):
        assert [(f.rule, f.path) for f in found(rule, **{**present, key: blank})] == [(rule, (key,))]
    front = make_front(**present)
    del front[key]
    assert [f.rule for f in checks.check(checks.Subject(front, []), rules=[rule])] == [rule]


def test_a_cover_image_that_is_no_file_we_hold_is_found_only_where_files_are_looked_for():
    held = {"images/podcast/here.jpg"}
    front = make_front(image="images/podcast/gone.jpg")
    findings = checks.check(checks.Subject(front, [], image_exists=held.__contains__), rules=["cover-found"])
    assert [(f.rule, f.message, f.path) for f in findings] == [
        (
            "cover-found",
            "the cover image images/podcast/gone.jpg is neither in the site checkout nor in the media storage",
            ("image",),
        )
    ]
    for image in ("images/podcast/here.jpg", " images/podcast/here.jpg ", "", None):
        front = make_front(image=image)
        assert checks.check(checks.Subject(front, [], image_exists=held.__contains__), rules=["cover-found"]) == []
    # No place to look is known (a loose file's check): not checked.
    assert checks.check(checks.Subject(make_front(image="images/podcast/gone.jpg"), []), rules=["cover-found"]) == []


def test_typography_counts_what_it_finds_where():
    front = headers_front(["Intro", "Non\u2011breaking  chapter "], clips=clips((0, 60), names=["It’s"]))
    result = found("typography", title="A \u201cquoted\u201d title", intro="Fine.\u00a0Then  end ", **front)
    assert [(f.message, f.path) for f in result] == [
        ("title: curly quote “, curly quote ”", ("title",)),
        ("intro: non-breaking space (U+00A0), double space, trailing space", ("intro",)),
        (
            "chapter 'Non\u2011breaking  chapter ': non-breaking hyphen (U+2011), double space, trailing space",
            ("transcript", 2),
        ),
        ("clip 'It’s': curly quote ’", ("quotableClips", 0, "name")),
    ]
    assert checks.typography_problems("a\u2011b\u2011c") == ["non-breaking hyphen (U+2011) ×2"]
    assert checks.typography_problems("line \nnext") == ["trailing space"]
    assert messages("typography", title="Plain 'straight' - quotes") == []


# Texts of the characters the two counts turn on: spaces, tabs, line ends, typographic characters, tags, words.
PIECES = st.lists(
    st.sampled_from([" ", "  ", "\t", "\n", "a", "é", "4", "-", "—", "'", "\u2011", "\u00a0", "\u2019", "<", ">",
                     "<br>", "x y", "\u201c"]),
    max_size=30,
).map("".join)  # fmt: skip


@given(PIECES)
@example("tab\t\nline")
@example("tab at the end\t")
@example("space \nline")
@example("two  spaces")
@example("<b>bold</b> — words' 4,500+")
def test_word_count_and_typography_answer_as_their_plain_patterns(text):
    # The plain forms the rules are written from; the functions take shortcuts for the common texts.
    assert checks.word_count(text) == len(re.findall(r"\S*\w\S*", re.sub(r"<[^<>]*>", " ", text)))
    counts: dict[str, int] = {}
    for match in re.finditer("[\u2011\u00a0\u2018\u2019\u201c\u201d]|  |[ \t]+(?=\n|$)", text):
        found = match.group()
        what = checks._TYPOGRAPHY_CHARACTERS.get(found) or ("double space" if found == "  " else "trailing space")
        counts[what] = counts.get(what, 0) + 1
    assert checks.typography_problems(text) == [what if n == 1 else f"{what} ×{n}" for what, n in counts.items()]


def test_limits_refuse_unknown_names_and_non_numbers():
    with pytest.raises(ValueError, match="no limit 'title_maximum'"):
        checks.limits({"title_maximum": 3})
    with pytest.raises(ValueError, match="must be a whole number"):
        checks.limits({"title_max": "100"})
    with pytest.raises(ValueError, match="no rule 'nope'"):
        checks.rule_names(["nope"])
    every_setting = {s for rule in checks.RULES.values() for s in rule.settings}
    assert every_setting == set(checks.DEFAULT_LIMITS)


def test_durations():
    assert duration_seconds("PT01H24M57S") == 5097
    assert duration_seconds("PT01H48S") == 3648
    assert duration_seconds("PT58M") == 3480
    assert duration_seconds("1:03:37") == 3817
    assert duration_seconds("P") is None and duration_seconds("soon") is None


def test_lines_of_findings():
    text = fm.render(make_front(title="x" * 120, transcript=[{"header": "A"}, {"header": "A"}]), "\n")
    doc = fm.parse(text)
    lines = checks.Lines(doc.front_text)
    file_lines = text.split("\n")
    for finding in checks.check(checks.Subject(doc.front, checks.file_items(doc.front))):
        line = lines.line(finding.path)
        if finding.rule == "title-length":
            assert file_lines[line - 1].startswith("title: ")
        if finding.rule == "chapter-repeated":
            assert file_lines[line - 1] == "- header: A" and file_lines[line - 2] == "- header: A"
        if finding.rule == "missing-intro":
            assert line is None


# -- the corpus --------------------------------------------------------------------------------------------


def corpus_documents():
    """Each readable corpus episode with its names' guests, read once for all the tests below."""
    if not CORPUS.is_dir():
        return []
    names = {}
    for path in (CORPUS / "people").glob("*.md"):
        names[path.stem] = fm.parse(path.read_bytes()).front.get("title", "")
    documents = []
    for path in sorted((CORPUS / "episodes").glob("*.md")):
        try:
            doc = fm.parse(path.read_bytes())
        except fm.FormatError:
            continue
        documents.append((path, doc, [names.get(k, "") for k in doc.front.get("guests") or []]))
    return documents


@pytest.fixture(scope="module")
def corpus():
    documents = corpus_documents()
    verdicts = {}
    for path, doc, guests in documents:
        subject = checks.Subject(doc.front, checks.file_items(doc.front), guests)
        verdicts[path.stem] = checks.check(subject)
    return documents, verdicts


def flagged(verdicts, rule) -> set[str]:
    return {slug for slug, findings in verdicts.items() if any(f.rule == rule for f in findings)}


def count(verdicts, rule) -> int:
    return sum(f.rule == rule for findings in verdicts.values() for f in findings)


def plain_headers(front) -> list[str]:
    return [item["header"] for item in front.get("transcript") or [] if isinstance(item, dict) and "header" in item]


@needs_shared
def test_corpus_readable_files_are_all_checked(corpus):
    documents, verdicts = corpus
    assert len(verdicts) == len(list((CORPUS / "episodes").glob("*.md"))) - 2  # the template and the stray '_'


@needs_shared
def test_corpus_lengths_match_a_plain_count(corpus):
    documents, verdicts = corpus
    long_titles = {p.stem for p, d, _ in documents if len(d.front.get("title") or "") > 100}
    descriptions = {
        p.stem for p, d, _ in documents if d.front.get("description") and not 140 <= len(d.front["description"]) <= 160
    }
    intros = set()
    for path, doc, _ in documents:
        if doc.front.get("intro"):
            words = [w for w in re.sub("<[^>]*>", " ", doc.front["intro"]).split() if any(c.isalnum() for c in w)]
            if not 150 <= len(words) <= 200:
                intros.add(path.stem)
    topics = {p.stem for p, d, _ in documents if d.front.get("topics") and not 3 <= len(d.front["topics"]) <= 5}
    assert flagged(verdicts, "title-length") == long_titles and long_titles  # the corpus has long titles
    assert flagged(verdicts, "description-length") == descriptions and descriptions
    assert flagged(verdicts, "intro-length") == intros
    assert flagged(verdicts, "topics-count") == topics and topics


@needs_shared
def test_corpus_guest_names_in_titles(corpus):
    documents, verdicts = corpus
    expected = {
        p.stem
        for p, d, guests in documents
        for name in guests
        if name and name.lower() in (d.front.get("title") or "").lower()
    }
    assert flagged(verdicts, "title-guest") == expected and expected


@needs_shared
def test_corpus_chapters_match_a_plain_count(corpus):
    documents, verdicts = corpus
    many = {p.stem for p, d, _ in documents if len(plain_headers(d.front)) > 30}
    repeats = 0
    repeated = set()
    for path, doc, _ in documents:
        headers = plain_headers(doc.front)
        pairs = sum(a.strip().lower() == b.strip().lower() for a, b in zip(headers, headers[1:], strict=False))
        repeats += pairs
        if pairs:
            repeated.add(path.stem)
    assert flagged(verdicts, "chapters-count") == many and many
    assert flagged(verdicts, "chapter-repeated") == repeated and repeated
    assert count(verdicts, "chapter-repeated") == repeats


@needs_shared
def test_corpus_clips_past_the_end_and_empty(corpus):
    documents, verdicts = corpus
    past_end, empty = set(), set()
    for path, doc, _ in documents:
        front = doc.front
        duration = duration_seconds(front["duration"]) if isinstance(front.get("duration"), str) else None
        for clip in front.get("quotableClips") or []:
            if duration is not None and clip["endOffset"] > duration:
                past_end.add(path.stem)
            if clip["endOffset"] <= clip["startOffset"]:
                empty.add(path.stem)
    assert past_end <= flagged(verdicts, "clip-times") and past_end
    assert flagged(verdicts, "clip-empty") == empty


@needs_shared
def test_corpus_clip_names_off_their_sections(corpus):
    documents, verdicts = corpus
    # Independently: a clip whose name is no header at all cannot be named as its section.
    off = {
        p.stem
        for p, d, _ in documents
        if plain_headers(d.front)
        and {c["name"] for c in d.front.get("quotableClips") or []} - set(plain_headers(d.front))
    }
    assert off <= flagged(verdicts, "clip-names")
    # Real examples: a header renamed to the next one's title; an opening chapter whose header was deleted.
    by_message = {
        f.message for slug in flagged(verdicts, "clip-names") for f in verdicts[slug] if f.rule == "clip-names"
    }
    assert (
        "clip 'Episode Introduction' at 0:00 is not named as its section 'Guest Introduction: Luke Whipps & Neural AI'"
        in by_message
    )
    assert "clip 'Podcast Introduction' at 0:00 starts no section" in by_message


@needs_shared
def test_corpus_missing_values(corpus):
    documents, verdicts = corpus
    for rule, key in (
        ("missing-description", "description"),
        ("missing-intro", "intro"),
        ("missing-topics", "topics"),
        ("missing-clips", "quotableClips"),
        ("missing-cover", "image"),
    ):
        assert flagged(verdicts, rule) == {p.stem for p, d, _ in documents if not d.front.get(key)}, rule
    assert flagged(verdicts, "missing-intro")  # the newest episodes have none


@needs_shared
def test_corpus_typography_counts(corpus):
    documents, verdicts = corpus
    characters = {"\u2011": "U+2011", "\u00a0": "U+00A0", "\u2018": "‘", "\u2019": "’", "\u201c": "“", "\u201d": "”"}
    expected = 0
    for _path, doc, _ in documents:
        front = doc.front
        texts = [front.get(k) for k in ("title", "short", "description", "intro") if isinstance(front.get(k), str)]
        texts += [t for t in front.get("topics") or [] if isinstance(t, str)]
        texts += plain_headers(front) + [c["name"] for c in front.get("quotableClips") or []]
        for text in texts:
            expected += sum(text.count(c) for c in characters) + text.count("  ")
            expected += sum(len(line) - len(line.rstrip(" \t")) > 0 for line in text.split("\n"))
    found_count = 0
    for findings in verdicts.values():
        for finding in findings:
            if finding.rule == "typography":
                for problem in finding.message.rsplit(": ", 1)[1].split(", "):
                    found_count += int(problem.rsplit("×", 1)[1]) if "×" in problem else 1
    assert found_count == expected and expected


@needs_shared
def test_corpus_repeated_turns(corpus):
    documents, verdicts = corpus
    expected = sum(repeats_in(doc.front) for _path, doc, _ in documents)
    assert count(verdicts, "turn-repeated") == expected
    # A real transcript with a paragraph written twice, once without its speaker, as the converter did.
    path, doc, _ = next((p, d, g) for p, d, g in documents if len(d.front.get("transcript") or []) > 10)
    transcript = list(doc.front["transcript"])
    index = next(i for i, item in enumerate(transcript) if "line" in item and i > 3)
    transcript.insert(index + 1, {"line": transcript[index]["line"]})
    front = {**doc.front, "transcript": transcript}
    result = checks.check(checks.Subject(front, checks.file_items(front)), rules=["turn-repeated"])
    assert len(result) == repeats_in(doc.front) + 1
    assert ("transcript", index + 1) in [f.path for f in result]


def repeats_in(front) -> int:
    texts = [
        i.get("line", "").strip() for i in front.get("transcript") or [] if isinstance(i, dict) and "header" not in i
    ]
    return sum(a == b and a != "" for a, b in zip(texts, texts[1:], strict=False))


@needs_shared
def test_corpus_chapter_times_past_the_duration(corpus):
    documents, verdicts = corpus
    expected = set()
    for path, doc, _ in documents:
        duration = duration_seconds(doc.front["duration"]) if isinstance(doc.front.get("duration"), str) else None
        transcript = doc.front.get("transcript") or []
        for i, item in enumerate(transcript):
            if isinstance(item, dict) and "header" in item and duration is not None:
                start = next((t["sec"] for t in transcript[i:] if isinstance(t, dict) and "sec" in t), None)
                if start is not None and start > duration:
                    expected.add(path.stem)
    assert expected <= flagged(verdicts, "chapter-times") and expected


def test_every_rule_has_a_test_here():
    source = Path(__file__).read_text(encoding="utf-8")
    assert [name for name in checks.RULES if f'"{name}"' not in source] == []
