"""Large JSON files are written token by token, with json.dumps' exact bytes."""

import json

import pytest

from generator.jsontext import indented, indented_with_items

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
