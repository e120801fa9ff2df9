"""Large JSON files are written token by token, with json.dumps' exact bytes."""

import datetime as dt
import json

import pytest

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


def test_copied_items_side_by_side_are_copied_as_one_piece_and_give_the_same_text():
    from generator.jsontext import Copied, Written, item_spans, joined_runs

    items = [{"name": f"n{number}", "path": f"p/{number}"} for number in range(5)]
    published = bytes(indented_with_items({"name": "x"}, "resources", items, 1))
    spans = item_spans(published, "name")
    changed = {"name": "n2", "path": "p/new"}
    given = [Copied(*spans["n0"]), Copied(*spans["n1"]), changed, Copied(*spans["n3"]), Copied(*spans["n4"]),
             Copied(*spans["n0"])]  # the last lies before the one ahead of it: a piece of its own
    joined = list(joined_runs(given, published, 1))
    assert [type(item) for item in joined] == [Written, dict, Written, Written]
    expected = [items[0], items[1], changed, items[3], items[4], items[0]]
    assert bytes(indented_with_items({"name": "x"}, "resources", joined, 1)) == bytes(
        indented_with_items({"name": "x"}, "resources", expected, 1))


def test_item_spans_name_each_item_by_its_first_value_and_span_its_exact_text():
    from generator.jsontext import item_spans

    items = [{"name": "甲", "nested": {"name": "inner"}}, {"name": '引"号', "x": 1}, {"name": "乙", "y": [1, 2]}]
    published = bytes(indented_with_items({"name": "x"}, "resources", items, 1))
    spans = item_spans(published, "name")
    assert list(spans) == ["甲", "乙"]  # the escaped one is taken as part of the one before it
    assert json.loads(published[slice(*spans["乙"])]) == items[2]
    whole = published[slice(*spans["甲"])].decode("utf-8")
    assert json.loads(f"[{whole}]") == items[:2]
