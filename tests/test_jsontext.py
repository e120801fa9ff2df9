"""Large JSON files are written token by token, with json.dumps' exact bytes."""

import datetime as dt
import json

import pytest

from generator import jsontext
from generator.jsontext import (
    compact_sorted,
    flat_object,
    flat_object_edited,
    indented,
    indented_with_items,
)

HEADS = [{}, {"name": "村务公开", "nested": [1, {"x": None, "y": "引号\"与\n换行"}]}]
ITEMS = [[], [{"path": "v/lucun/index.html", "bytes": 3}], [{"a": 1}, [1, 2], "文字", {}, []]]


@pytest.mark.parametrize("indent", [0, 1, 2])
@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("items", ITEMS)
def test_same_bytes_as_json_dumps(indent, head, items):
    expected = (json.dumps({**head, "resources": items}, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")
    assert bytes(indented({**head, "resources": items}, indent)) == expected
    assert bytes(indented_with_items(head, "resources", iter(items), indent)) == expected


def test_items_are_taken_one_at_a_time():
    taken = []

    def items():
        for number in range(3):
            taken.append(number)
            yield {"n": number}

    text = indented_with_items({"name": "x"}, "resources", items(), 1)
    assert taken == [0, 1, 2]
    assert json.loads(text)["resources"] == [{"n": 0}, {"n": 1}, {"n": 2}]


AWKWARD = {
    "文字": "引号\" 反斜杠\\ 制表\t 控制\x01 换行\n 回车\r 表情😀 \u2028",
    "numbers": [0, -7, 10**20, 1.5, -0.0, 1e300],
    "literals": [True, False, None],
    "nested": {"empty_list": [], "empty_object": {}, "deep": [[{"a": [1, {"b": []}]}]], "tuple": (1, "二")},
    "": "",
}


@pytest.mark.parametrize("indent", [0, 1, 3])
@pytest.mark.parametrize("value", [AWKWARD, {}, [], [AWKWARD, [AWKWARD]], "文字", 3, None, {"only": {}},
                                   {"tuple": (1, "二"), "empty": (), "list": [AWKWARD]}])
def test_awkward_values_give_json_dumps_bytes(indent, value):
    expected = (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")
    assert bytes(indented(value, indent)) == expected
    if isinstance(value, dict):
        assert bytes(indented_with_items(value, "resources", iter([value, []]), indent)) == (
            json.dumps({**value, "resources": [value, []]}, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")


@pytest.mark.parametrize("value", [{}, {"a/index.html": "0f" * 32}, {k: v for k, v in AWKWARD.items() if isinstance(v, str)},
                                   {"路径/文件.html": "值", "b": "引号\"", "c\\d": ""}])
def test_flat_objects_of_text_give_json_dumps_bytes(value):
    expected = (json.dumps(value, ensure_ascii=False, indent=0) + "\n").encode("utf-8")
    assert flat_object(list(value), list(value.values())) == expected


NAMES = {"a": "1", "a-b": "2", "a/b": "3", "a/b/index.html": "4", "ab": "5", "路径/文件.html": "6", "z": "7"}


def _flat(value: dict) -> bytes:
    return flat_object(sorted(value), [value[name] for name in sorted(value)])


@pytest.mark.parametrize("edits", [
    {}, {"a": None}, {"z": None}, {"a": "new"}, {"0": "before all"}, {"zz": "after all"}, {"a/b/c": "between"},
    {"a/": "prefix of others"}, {"a/b": None, "a/b/index.html": "changed", "aa": "new", "路径/文件.html": None},
    {name: None for name in NAMES}, {"路径/新.html": "中文", "a-": "x", "a.": "y"},
])
def test_an_edited_flat_object_is_the_one_made_whole(edits):
    expected = {**NAMES, **edits}
    expected = {name: value for name, value in expected.items() if value is not None}
    assert flat_object_edited(_flat(NAMES), edits) == _flat(expected)


@pytest.mark.parametrize("published, edits", [
    ({**NAMES, "a b": "space sorts before the quote"}, {"a": "x"}),
    ({**NAMES, "a!": "so does !"}, {"a": "x"}),
    ({**NAMES, 'a"b': "escaped"}, {"a": "x"}),
    ({**NAMES, "a\\b": "escaped"}, {"a": "x"}),
    (NAMES, {"a b": "x"}), (NAMES, {"a!": "x"}), (NAMES, {"a\tb": "x"}), (NAMES, {'"': "x"}),
    ({}, {"a": "x"}),
])
def test_names_that_would_not_sort_as_their_lines_are_left_to_flat_object(published, edits):
    assert flat_object_edited(_flat(published), edits) is None


def test_keys_that_are_not_text_are_refused():
    with pytest.raises(TypeError):
        indented({"a": {1: "x"}}, 1)


@pytest.mark.parametrize("value", [AWKWARD, [AWKWARD, "文字", 3, None], {"b": 1, "a": [2, {"d": None, "c": 1.5}]},
                                   ["dates and others as text", dt.date(2024, 7, 5)]])
def test_compact_sorted_is_json_dumps_text(value):
    assert compact_sorted(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def test_items_given_as_their_text_are_written_as_they_are():
    from generator.jsontext import Written, _text

    items = [{"name": "甲", "bytes": 3}, {"name": "乙", "nested": [1, {"x": None}]}]
    given = [Written(_text(items[0], 1, 2).encode("utf-8")), items[1]]
    expected = (json.dumps({"name": "x", "resources": items}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    assert bytes(indented_with_items({"name": "x"}, "resources", iter(given), 1)) == expected


def _listing(items):
    from generator.jsontext import PublishedList

    published = bytes(indented_with_items({"name": "x"}, "resources", items, 1))
    return published, PublishedList(published, "name")


def test_runs_of_published_items_are_copied_as_one_piece_and_give_the_same_text():
    from generator.jsontext import Written, in_runs

    items = [{"name": f"n{number}", "path": f"p/{number}"} for number in range(6)]
    published, listing = _listing(items)
    changed = {"name": "n2", "path": "p/new"}
    wanted = [items[0], items[1], changed, items[3], items[4], {"name": "new", "path": "p/7"}, items[5]]
    made = []
    given = list(in_runs(wanted, lambda item: item is not changed and item["name"] != "new",
                         lambda run: listing.run(run[0]["name"], run[-1]["name"], len(run)),
                         lambda item: made.append(item) or [item]))
    assert [type(item) for item in given] == [Written, dict, Written, dict, Written]
    assert made == [changed, wanted[5]]
    assert bytes(indented_with_items({"name": "x"}, "resources", given, 1)) == bytes(
        indented_with_items({"name": "x"}, "resources", wanted, 1))


@pytest.mark.parametrize("run, marks", [
    (("n1", "n3", 2), ()),  # three items there, not two
    (("n3", "n1", 3), ()),  # not in that order
    (("n1", "n9", 1), ()),  # not there
    (("n", "n", 1), ()),  # a name is matched whole, not as the start of another
    (("n1", "n2", 2), (b'"p/1"', b'"p/9"')),  # a mark missing
    (("n1", "n2", 2), (b'"p/2"', b'"p/1"')),  # marks out of order
])
def test_a_run_not_published_as_asked_is_not_copied(run, marks):
    items = [{"name": f"n{number}", "path": f"p/{number}"} for number in range(5)]
    _, listing = _listing(items)
    assert listing.run(*run, marks) is None


def test_runs_are_found_forward_and_escaped_names_whole():
    items = [{"name": '引"号', "x": 1}, {"name": "乙", "y": [1, {"name": "inner"}]}, {"name": "丙", "z": None}]
    published, listing = _listing(items)
    first = listing.run('引"号', "乙", 2, [b'"x": 1'])
    assert json.loads(b"[" + bytes(first.text) + b"]") == items[:2]
    assert listing.run('引"号', '引"号', 1) is None  # behind the last run taken
    assert json.loads(bytes(listing.run("丙", "丙", 1).text)) == items[2]


def test_nothing_is_taken_from_an_empty_list_even_with_items_after_it():
    from generator.jsontext import PublishedList

    published = bytes(indented({"notices": [], "superseded": [{"id": "a", "x": 1}]}, 1))
    listing = PublishedList(published, "id", published.find(b'"notices"'), published.find(b'"superseded"'))
    assert listing.run("a", "a", 1) is None


def test_a_member_value_made_before_is_written_as_it_was_made():
    def items():
        return jsontext.streamed(iter([{"x": 1, "名": "北西尚村"}, {"y": [2, 3]}]))

    whole = b"".join(jsontext.member_texts({"a": 1, "items": items(), "z": "end"}, 1))
    made = jsontext.member_value(items(), 1)
    assert b"".join(jsontext.member_texts({"a": 1, "items": made, "z": "end"}, 1)) == whole
    assert json.loads(whole) == {"a": 1, "items": [{"x": 1, "名": "北西尚村"}, {"y": [2, 3]}], "z": "end"}
