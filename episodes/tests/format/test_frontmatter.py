"""The format module on its own: split, load, dump, refusals with file line numbers, the link list."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from episodes.format import frontmatter as fm
from episodes.tests.support.factories import SEED


def test_seed_is_canonical_and_renders_back_byte_for_byte():
    text = SEED.read_text(encoding="utf-8")
    doc = fm.parse(text)
    assert doc.front_text == fm.dump(doc.front)
    assert doc.render() == text
    assert doc.front["transcript"][0]["time"] == "1:56"


def test_parse_bytes_keeps_body_and_closing_line_exactly():
    doc = fm.parse(b"---\ntitle: x\n---  \n\nbody\n")
    assert doc.front == {"title": "x"}
    assert doc.closing == "---  "
    assert doc.body == "\n\nbody\n"
    assert doc.render() == "---\ntitle: x\n---  \n\nbody\n"


def test_file_ending_right_after_closing_line():
    doc = fm.parse("---\ntitle: x\n---")
    assert doc.body == ""
    assert doc.render() == "---\ntitle: x\n---"


def test_dump_quotes_times_that_yaml_would_read_as_numbers():
    text = fm.dump({"time": "1:56"})
    assert text == "time: '1:56'\n"
    assert fm.load(text) == {"time": "1:56"}


def test_key_order_is_kept():
    doc = fm.parse("---\nzeta: 1\nalpha: 2\n---\n")
    assert list(doc.front) == ["zeta", "alpha"]
    assert doc.render() == "---\nzeta: 1\nalpha: 2\n---\n"


def test_dates_stay_dates():
    import datetime

    doc = fm.parse("---\ndateadded: 2024-05-01\n---\n")
    assert doc.front["dateadded"] == datetime.date(2024, 5, 1)


@pytest.mark.parametrize(
    ("raw", "line", "message"),
    [
        (b"_\n---\ntitle: x\n---\n", 1, "must start with a '---' line"),
        (b"---\ntitle: x\n", 1, "never closed"),
        (b"---\ntitle: x\n  bad: [\n---\n", 3, "YAML error"),
        (b"---\n- a\n- b\n---\n", 2, "the front matter is a list"),
        (b"---\n---\n", 2, "the front matter is empty"),
        (b"---\ntitle: &a x\nshort: *a\n---\n", 2, "anchors and aliases (&a)"),
        (b"---\ntitle: !!python/object:os.system x\n---\n", 2, "YAML error"),
        (b"---\ntitle: x\nshort: \xff\n---\n", 3, "not valid UTF-8"),
        (b"---\ndate: 2023-02-30\n---\n", 2, "YAML error"),
        (b"---\ntitle: x\nwhen: !!timestamp soon\n---\n", 3, "cannot read 'soon' as !!timestamp at column 7"),
        (b"---\ntitle: x\nlive: !!bool maybe\n---\n", 3, "cannot read 'maybe' as !!bool at column 7"),
        (b"---\ntitle: !!str [a, b]\n---\n", 2, "expected a scalar node, but found sequence"),
        (b"---\ndate: 2024-02-30\n---\n", 2, "cannot read '2024-02-30' as !!timestamp: day is out of range"),
        # YAML also breaks lines at U+2028 and U+0085; the file's line numbers count only newlines.
        ("---\na: 1\u2028b: [\n---\n".encode(), 3, "did not find expected node content at column 1"),
        ("---\na: ’\u0085b: c: d\n---\n".encode(), 2, "mapping values are not allowed in this context at column 10"),
        ("---\na: 1\u2028&x b: 2\n---\n".encode(), 2, "anchors and aliases (&x)"),
        (b"---\ntitle: a\x00b\n---\n", 2, "a NUL character (U+0000) at column 9"),
        (b"---\ntitle: x\n---\n\nbody \x00\n", 5, "a NUL character (U+0000) at column 6"),
    ],
)
def test_refusals_name_the_line(raw, line, message):
    with pytest.raises(fm.FormatError) as info:
        fm.parse(raw)
    assert info.value.line == line
    assert message in info.value.message


def test_size_limit_is_checked_before_decoding():
    with pytest.raises(fm.FormatError, match="over the 100-byte limit"):
        fm.parse(b"---\ntitle: x\n---\n" + b"x" * 200, max_bytes=100)


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "---\n" + "\n".join(lines) + "\n---\n"
    assert len(bomb) < 1024
    start = time.process_time()
    with pytest.raises(fm.FormatError, match="anchors and aliases"):
        fm.parse(bomb)
    assert time.process_time() - start < 5  # generous: exponential expansion would never finish


def test_anchor_after_a_tag_is_found():
    with pytest.raises(fm.FormatError, match="anchors"):
        fm.parse("---\ntitle: !!str &x value\n---\n")


YAML_PIECES = ["a", "b: ", ":", " ", "\t", "\n", "- ", "? ", "[", "]", "{", "}", ", ", "&x", "*x", "&", "*"]
YAML_PIECES += ["!!str ", "!t", "'", '"', "|\n", "\u2028", "\x85", "Q&A", "**", "x*y"]


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(st.sampled_from(YAML_PIECES), max_size=14))
def test_every_anchor_or_alias_the_parser_sees_is_refused(pieces):
    # The quick pre-filter must never let through a text in which PyYAML's parser meets an anchor or alias.
    import yaml

    text = "".join(pieces)
    seen = False
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            seen = seen or isinstance(event, yaml.AliasEvent) or bool(getattr(event, "anchor", None))
    except yaml.YAMLError:
        pass
    if seen:
        with pytest.raises(fm.FormatError, match="anchors and aliases"):
            fm.load(text)


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(st.sampled_from(["---", "--", "-", "\n", " ", "\t", "a", "\u2028", "\x85"]), max_size=16))
def test_split_finds_the_first_closing_line_as_the_rule_says(pieces):
    import re

    text = "---\n" + "".join(pieces)
    # The rule: the first line after the opening one that is '---' followed by nothing but spaces or tabs.
    match = re.compile(r"^---[ \t]*$", re.MULTILINE).search(text, 4)
    if match is None:
        with pytest.raises(fm.FormatError, match="never closed"):
            fm.split(text)
    else:
        assert fm.split(text) == (text[4 : match.start()], match.group(), text[match.end() :])


def test_ampersands_and_asterisks_in_text_are_fine():
    doc = fm.parse("---\ntitle: Q&A *live* & more\nline: |\n  * not an alias\n---\n")
    assert doc.front["title"] == "Q&A *live* & more"


def test_bom_and_crlf_are_normalised_with_notes():
    doc = fm.parse("\ufeff---\r\ntitle: x\r\n---\r\nbody\r\n".encode())
    assert doc.front == {"title": "x"}
    assert doc.body == "\nbody\n"
    assert doc.notes == ["removed the byte-order mark", "converted CRLF line endings to LF"]


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("season: ten\n", 2, "'season' must be an integer, not str 'ten'"),
        ("episode: 1.5\n", 2, "'episode' must be an integer"),
        ("transcript:\n- line: hi\n  sec: soon\n", 4, "'transcript[0].sec' must be an integer, not str 'soon'"),
        ("transcript:\n- header: A\n- line: hi\n  time: 1:56\n", 5, "'transcript[1].time' must be a quoted string"),
        ("title: x\u2028\nseason: ten\n", 3, "'season' must be an integer"),
    ],
)
def test_validate_episode_reports_wrong_types_with_lines(front, line, message):
    doc = fm.parse("---\n" + front + "---\n")
    with pytest.raises(fm.FormatError) as info:
        fm.validate_episode(doc)
    assert info.value.line == line
    assert message in info.value.message


def test_untimed_zero_time_is_a_string():
    doc = fm.parse("---\ntranscript:\n- line: hi\n  time: 0:00\n---\n")
    fm.validate_episode(doc)
    assert doc.front["transcript"][0]["time"] == "0:00"


def test_dump_checked_refuses_values_yaml_cannot_write():
    with pytest.raises(fm.FormatError, match="cannot be written back"):
        fm.dump_checked({"x": object()})


LINKS_BODY = (
    '\n\nLinks:\n\n* [Matt](https://mattturck.com/){:target="_blank"}\n* [Wiki](https://en.wikipedia.org/wiki/X_(y))\n'
)


def test_split_body_parses_link_rows_and_keeps_text_around():
    body = fm.split_body(LINKS_BODY)
    assert body.before == "\n\nLinks:\n\n"
    assert [(link.text, link.url, link.new_tab) for link in body.links] == [
        ("Matt", "https://mattturck.com/", True),
        ("Wiki", "https://en.wikipedia.org/wiki/X_(y)", False),
    ]
    assert body.after == "\n"
    assert body.render() == LINKS_BODY


@pytest.mark.parametrize(
    "text",
    [
        '\n\nWe talked about:\n\n- Background\n\nLinks:\n\n- [A](https://a.example/){:target="_blank"}',
        '\n\n\nLinks: \n\n* <https://notion.so/x>{:target="_blank"}\n* [B](https://b.example/)\n\n',
    ],
)
def test_split_body_round_trips_prose_and_autolinks(text):
    body = fm.split_body(text)
    assert body.has_list and body.links
    assert body.render() == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        '\n\nLinks:\n\n- Mock interviews: <https://www.pramp.com/>{:target="_blank"}\n',
        "\n\nLinks:\n\n* [](https://empty.example/)\n",
        "\n\nJust prose with a [link](https://x.example/).\n",
    ],
)
def test_split_body_keeps_other_forms_verbatim(text):
    body = fm.split_body(text)
    assert body.links == []
    assert body.render() == text


LOADER_CASES = [
    "a: 1\nb: [1, 2.5, .inf, -0x1f, 0o17, 1_000]\nc: {x: null, y: ~, z: yes, w: 'on'}\n",
    "when: 2024-05-01\nat: 2024-05-01 10:00:00+02:00\nraw: !!binary aGVsbG8=\n",
    "base: {a: 1}\nmerged:\n  <<: {a: 1, b: 2}\n  b: 3\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
    "? [a, b]\n: complex key is unhashable\n",
    "k: !!str 123\nn: !!int '7'\nf: !!float '1'\nempty:\nq: ''\n",
    "1: int key\n2.5: float key\nfalse: bool key\nnull: null key\n",
]


@pytest.mark.parametrize("text", LOADER_CASES)
def test_loader_gives_the_same_data_as_csafeloader(text):
    import yaml

    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506
    except yaml.YAMLError:
        with pytest.raises(fm.FormatError, match="unhashable"):
            fm.load(text)
        return
    got = fm.load(text)
    assert got == expected or repr(got) == repr(expected)
    if "!!set" in text:  # a plain set is written in the order of this process's hashes, ours in the file's
        assert sorted(fm.dump(got).splitlines()) == sorted(fm.dump(expected).splitlines())
    else:
        assert fm.dump(got) == fm.dump(expected)


@pytest.mark.parametrize(
    ("front", "line", "key"),
    [
        ("title: a\nshort: s\ntitle: b\n", 4, "'title'"),
        ("transcript:\n- line: a\n  who: A\n  line: b\n", 5, "'line'"),
        ("1: int key\ntrue: bool key\n", 3, "True"),
        ("2: int key\n2.0: float key\n", 3, "2.0"),
    ],
)
def test_a_repeated_key_keeps_its_last_value_as_pyyaml_and_jekyll_do_with_a_note(front, line, key):
    import yaml

    doc = fm.parse("---\n" + front + "---\n")
    expected = yaml.load(front, Loader=yaml.CSafeLoader)  # noqa: S506
    assert fm.same_data(doc.front, expected)
    assert doc.notes == [
        f"line {line}: the key {key} comes again in its mapping; its last value is kept, as Jekyll reads it"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "[" * fm.MAX_DEPTH + "]" * fm.MAX_DEPTH,
        "{a: " * fm.MAX_DEPTH + "1" + "}" * fm.MAX_DEPTH,
        "{<<: " + "{a: " * fm.MAX_DEPTH + "1" + "}" * (fm.MAX_DEPTH + 1),
    ],
    ids=["lists", "maps", "merged"],
)
def test_nesting_deeper_than_the_limit_is_refused(value):
    # 500 nested maps loaded fine, then writing them back hit the recursion limit inside the import.
    with pytest.raises(fm.FormatError, match="nested more than 50 levels deep"):
        fm.parse(f"---\ntitle: x\ndeep: {value}\n---\n")
    shallower = value.replace("[", "", 1).replace("]", "", 1).replace("{a: ", "", 1).replace("}", "", 1)
    data = fm.parse(f"---\ntitle: x\ndeep: {shallower}\n---\n").front
    assert fm.load(fm.dump_checked(data)) == data


def test_values_written_back_otherwise_are_refused():
    with pytest.raises(fm.FormatError, match="a tuple would become a list"):
        fm.dump_checked({"o": fm.load("!!omap [{a: 1}, {b: 2}]")})
    kept = {"s": fm.load("!!set {a}"), "n": float("nan"), "b": fm.load("!!binary aGVsbG8=")}
    assert fm.dump_checked(kept) == "s: !!set\n  a: null\nn: .nan\nb: !!binary |\n  aGVsbG8=\n"


@pytest.mark.parametrize(
    ("a", "b"),
    [({"a": 1, "b": 2}, {"b": 2, "a": 1}), ([1], [1.0]), ([1], [True]), ({"x": 0.0}, {"x": -0.0})],
)
def test_same_data_minds_types_and_key_order(a, b):
    assert a == b
    assert not fm.same_data(a, b)
    assert fm.same_data(a, a) and fm.same_data([float("nan")], [float("nan")])


DUMP_CASES = [
    {"a": "yes", "b": "1:56", "c": "", "d": "null", "e": "~", "f": "0:00", "g": "12", "h": "1.5", "i": "-", "j": "."},
    {"multi": "line one\nline two\n", "lead": "  spaces", "trail": "trailing ", "unicode": "Danny’s café — ok"},
    {"long": "word " * 60, "quote": 'it\'s "quoted"', "colon": "a: b", "hash": "a #b", "star": "*laughs*"},
    {"nested": [{"x": [1, [2, []]], "y": {}}, None, True, 1.5, -3], "date": __import__("datetime").date(2024, 5, 1)},
    {1: "int key", None: "null key", "k": {"deep": {"deeper": ["a", {"b": "c"}]}}},
]


@pytest.mark.parametrize("data", DUMP_CASES)
def test_dumper_writes_what_csafedumper_writes(data):
    import yaml

    expected = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
    assert fm.dump(data) == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "\n\nLinks:\n\n"),
        ("\n", "\n\nLinks:\n\n"),
        ("\n\nWe talked about:\n\n- A\n", "\n\nWe talked about:\n\n- A\n\nLinks:\n\n"),
        ("\n\nLinks:\n\n", "\n\nLinks:\n\n"),
        ("\n\n\nLinks: \n\n", "\n\n\nLinks: \n\n"),
    ],
)
def test_with_links_header(before, after):
    assert fm.with_links_header(before) == after
    assert fm.split_body(after + "* [A](https://a.example/)").links


def test_an_integer_python_will_not_read_is_refused_at_its_line():
    with pytest.raises(fm.FormatError) as info:
        fm.parse("---\ntitle: x\nbig: " + "1" * 5000 + "\n---\n")
    assert info.value.line == 3
    assert "cannot read '1111" in info.value.message and "as !!int" in info.value.message


def test_only_short_plain_scalars_are_remembered():
    fm.parse("---\ntitle: Yes, a long line of text that starts like a boolean and goes on\nok: yes\n---\n")
    assert "yes" in fm._RESOLVED
    assert all(len(value) <= fm._RESOLVED_LENGTH for value in fm._RESOLVED)


SET_FILE = "---\ntitle: x\ntags: !!set\n  zeta: null\n  alpha: null\n  mid: null\n---\n"


def test_a_set_is_written_back_in_the_files_order_whatever_the_hash_seed():
    import subprocess
    import sys

    code = "from episodes.format import frontmatter as fm; import sys; sys.stdout.write(fm.parse(sys.argv[1]).render())"
    root = str(SEED.parents[2])
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, SET_FILE],
            env={"PYTHONHASHSEED": str(seed), "PYTHONPATH": root},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert outputs == {SET_FILE}


def test_a_set_keeps_set_semantics():
    import yaml

    tags = fm.parse(SET_FILE).front["tags"]
    assert tags == yaml.load("!!set {zeta, alpha, mid}", Loader=yaml.CSafeLoader)  # noqa: S506
    assert list(tags) == ["zeta", "alpha", "mid"] and "mid" in tags and isinstance(tags, set)
    tags.discard("alpha")
    tags.add("new")
    assert list(tags) == ["zeta", "mid", "new"]
    with pytest.raises(fm.FormatError, match="unhashable"):
        fm.load("s: !!set {? [a, b]}\n")


@pytest.mark.parametrize("body", ["Bio.", "  indented", "---", "\tx\n"])
def test_a_body_never_runs_into_the_closing_line(body):
    text = fm.render({"title": "x"}, body)
    doc = fm.parse(text)
    assert doc.front == {"title": "x"} and doc.body == "\n" + body


def test_a_long_transcript_is_written_item_by_item_exactly_as_a_whole():
    import yaml

    front = fm.parse(SEED.read_text(encoding="utf-8")).front
    odd = [{"line": "x" * 200, "sec": 1.0}, {"line": "y", "sec": True}, {"line": "z", "sec": 1}, "raw", [1, 2]]
    for data in (
        front,
        {**front, "transcript": front["transcript"] + odd},
        {"a b": [{"k": "v"} for _ in range(40)], "z": 1},
    ):
        expected = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
        assert fm.dump(data) == expected
        assert fm.dump(data) == expected  # the second time from remembered items


def test_written_times_are_exactly_the_times_seconds_to_time_writes():
    table = fm.written_times(3)
    assert table is fm.written_times() and len(table) >= 3 * 3600
    assert all(table[fm.seconds_to_time(sec)] == sec for sec in range(3 * 3600))
    assert all(fm.seconds_to_time(sec) == time for time, sec in table.items())
    for other in ("00:00", "0:0", "0:60", "01:00:00", "1:5:03", "60:00", " 0:09", "0:09 ", "[0:09]", ""):
        assert other not in table
    assert fm.time_to_seconds("00:00") == table["0:00"]  # the parser reads what the table does not hold


def test_written_times_grow_in_place_and_stop_at_their_limit():
    table = fm.written_times()
    fm.written_times(fm.WRITTEN_TIMES_HOURS + 50)
    assert fm.written_times() is table and len(table) == fm.WRITTEN_TIMES_HOURS * 3600
    assert fm.seconds_to_time(fm.WRITTEN_TIMES_HOURS * 3600) not in table


def test_a_long_list_dumped_whole_and_cut_into_items_is_the_canonical_text():
    import yaml

    # Items whose text has what could look like an item's start: "- " after a line break, blank lines.
    tricky = ["a\n- b", "- lead", "one\n\n\ntwo", "x " * 70, "Danny’s — ok", "", "\n- c\n"]
    items = [{"line": text, "sec": i, "time": f"0:{i:02d}", "who": "A"} for i, text in enumerate(tricky * 6)]
    items += [{"header": "nested", "extra": {"a": [1, 2]}}, "a plain item", ["a", "list"]]
    data = {"title": "T", "transcript": items, "after": 1}
    fm._ITEM_TEXTS.clear()
    expected = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
    assert fm.dump(data) == expected
    assert len(fm._ITEM_TEXTS) == len(tricky) * 6  # only flat mappings are kept
    # Then one item changed: the others' remembered texts, the changed one written alone.
    items[3] = dict(items[3], line="changed\n- now")
    expected = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
    assert fm.dump(data) == expected


def test_a_parse_leaves_the_garbage_collector_as_it_found_it():
    import gc

    assert gc.isenabled()
    fm.parse("---\ntitle: x\n---\n")
    with pytest.raises(fm.FormatError):
        fm.parse("---\ntitle: [unclosed\n---\n")
    assert gc.isenabled()
    gc.disable()
    try:
        fm.parse("---\ntitle: x\n---\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
