"""Large indented JSON files (manifest, checksums, datapackage) without large temporaries.

json.dumps with an indent runs json's pure-Python encoder, which yields every token through
a chain of generators and collects them in one list before joining it: for a county's
manifest that list alone is hundreds of MB, and the generators cost seconds. These write
the same bytes as json.dumps(..., ensure_ascii=False, indent=n) + "\\n", one top-level
member at a time, with json's C string encoder for every string.

json.dumps makes a new encoder on every call with other than its default settings: for a
hundred thousand small values (the keys of a rebuild) that costs more than the encoding.
compact_sorted keeps one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import (  # the C versions where there are, as json.dumps uses
    c_make_encoder,
    encode_basestring,
)

_LITERALS = {True: "true", False: "false", None: "null"}


def _compact_sorted_encoder() -> Callable[[object], str]:
    if c_make_encoder is None:  # a Python without json's C speedups
        return json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode
    # What json.dumps runs for these settings, made once. No circular check: that only changes
    # the error for a value that contains itself.
    made = c_make_encoder(None, str, encode_basestring, None, ":", ",", True, False, True)
    return lambda value: "".join(made(value, 0))


_compact_sorted = _compact_sorted_encoder()


def compact_sorted(value) -> str:
    """json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str):
    the text the keys of incremental builds hash (a hundred thousand a rebuild)."""
    return _compact_sorted(value)


def _scalar(value) -> str:
    if type(value) is str:
        return encode_basestring(value)
    if value is None or value is True or value is False:
        return _LITERALS[value]
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)  # floats (nan, inf) and str or int subclasses


def _check_key(key) -> None:
    if type(key) is not str:  # json.dumps would turn it into text; none of our files has one
        raise TypeError(f"only text keys are written this way, not {key!r}")


def _parts(value, pad: str, depth: int, out: list[str]) -> None:
    """json.dumps' text of `value`, nested `depth` levels deep, appended to `out` in pieces."""
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + pad * (depth + 1)
        out.append("{")
        for number, (key, item) in enumerate(value.items()):
            _check_key(key)
            out.append(("," if number else "") + inner + encode_basestring(key) + ": ")
            if type(item) is str:  # most values: no call for them
                out.append(encode_basestring(item))
            else:
                _parts(item, pad, depth + 1, out)
        out.append("\n" + pad * depth + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = "\n" + pad * (depth + 1)
        out.append("[")
        for number, item in enumerate(value):
            out.append(("," if number else "") + inner)
            _parts(item, pad, depth + 1, out)
        out.append("\n" + pad * depth + "]")
    else:
        out.append(_scalar(value))


def _text(value, indent: int, depth: int = 0) -> str:
    out: list[str] = []
    _parts(value, " " * indent, depth, out)
    return "".join(out)


def indented(value, indent: int) -> bytearray:
    """json.dumps(value, ensure_ascii=False, indent=indent) + "\\n", as UTF-8."""
    if isinstance(value, dict) and value:
        return _object(value.items(), indent)
    return bytearray((_text(value, indent) + "\n").encode("utf-8"))


def flat_object(names: list[str], values: Iterable[str]) -> bytes:
    """indented(dict(zip(names, values)), 0) for text values, joined in one go: checksums.json,
    a county's 208,000 members, took 0.54 s member by member and takes 0.32 s so."""
    members = ",\n".join(map("{}: {}".format, map(encode_basestring, names), map(encode_basestring, values)))
    return f"{{\n{members}\n}}\n".encode() if names else b"{}\n"


def flat_object_edited(published: bytes, edits: dict[str, str | None]) -> bytes | None:
    """flat_object's text `published` with members set (name → value) or removed (→ None),
    its names kept sorted: the few changes of a rebuild, copying the rest of a county's
    checksums.json (208,000 members) in a few pieces instead of making it again (0.85 s). None
    where that cannot be done safely (then flat_object makes it whole).

    Each member is a line '"name": "value"', found by bisection of the text: the lines sort as
    their names do when no name has a character that sorts before the closing quote (space,
    "!") or is escaped (quote, backslash, control characters: these would show a backslash).
    """
    if (not (published.startswith(b'{\n"') and published.endswith(b'"\n}\n')) or b"\\" in published
            or b"!" in published or published.count(b" ") != published.count(b'": "')
            or not all(map(_plain_name, edits))):
        return None
    after = len(published) - 2  # where a line after the last would start: the closing "}"
    runs: list[bytes] = []
    at = 2  # the first line's start, after "{\n"
    for name in sorted(edits):
        probe = f'"{name}"'.encode()
        found = _first_line_from(published, probe, at, after)
        if found > at:
            runs.append(published[at:found - (2 if found < after else 1)])  # without its last separator
        at = found
        if found < after and published.startswith(probe + b": ", found):
            at = published.index(b"\n", found) + 1  # the member's old line: left out
        if edits[name] is not None:
            runs.append(f'"{name}": {encode_basestring(edits[name])}'.encode())
    if at < after:
        runs.append(published[at:after - 1])
    return b"{\n" + b",\n".join(runs) + b"\n}\n" if runs else b"{}\n"


def _first_line_from(text: bytes, probe: bytes, low: int, high: int) -> int:
    """The start of the first line in text[low:high] (both line starts) not below `probe`, or high."""
    while low < high:
        middle = (low + high) // 2
        start = text.rfind(b"\n", low, middle) + 1 or low  # the line `middle` is in
        end = text.index(b"\n", start)
        if text[start:end].removesuffix(b",") < probe:
            low = end + 1
        else:
            high = start
    return low


def _plain_name(name: str) -> bool:
    return encode_basestring(name) == f'"{name}"' and " " not in name and "!" not in name and name.isprintable()


def indented_with_items(head: dict, key: str, items: Iterable, indent: int) -> bytearray:
    """As indented({**head, key: list(items)}), with the items made one at a time."""
    return _object([*head.items(), (key, _Streamed(items))], indent)


class _Streamed:
    """A list member whose items are made, and written, one at a time."""

    def __init__(self, items: Iterable):
        self.items = items


def streamed(items: Iterable) -> _Streamed:
    """A top-level member's list whose items (values or Written) are made as it is written."""
    return _Streamed(items)


def _object(members: Iterable[tuple[str, object]], indent: int) -> bytearray:
    """A top-level object, written member by member."""
    out = bytearray(b"{")
    count = 0
    for name, value in members:
        _member(out, count, name, value, indent)
        count += 1
    out += b"\n}\n" if count else b"}\n"
    return out


def _member(out: bytearray, number: int, name: str, value, indent: int) -> None:
    """The top-level object's member `number` (from 0), with the comma before it."""
    _check_key(name)
    pad = " " * indent
    out += f'{"," if number else ""}\n{pad}{encode_basestring(name)}: '.encode()
    _value(out, value, pad, indent)


def _value(out: bytearray, value, pad: str, indent: int) -> None:
    """A top-level member's value."""
    if type(value) is Written:  # made before (member_value)
        out += value.text
    elif type(value) is str:  # checksums.json: 200,000 members, each a hash
        out += encode_basestring(value).encode()
    elif isinstance(value, (_Streamed, list, tuple)):  # a list's items one at a time: the
        # manifest's 50,000 notices as one text were 1.3 M pieces, 100 MB at once
        _stream(out, value.items if isinstance(value, _Streamed) else value, pad, indent)
    else:
        out += _text(value, indent, 1).encode()


def member_value(value, indent: int) -> Written:
    """A top-level member's value as _member writes it, made now: given in its place later, it
    is written as it is."""
    out = bytearray()
    _value(out, value, " " * indent, indent)
    return Written(out)


def member_texts(value: dict, indent: int) -> list[bytearray]:
    """indented(value, indent) of a non-empty dict in parts: "{", each member (with the comma
    before it) and the end. One member can be written again alone (member_text)."""
    parts = [bytearray(b"{")]
    for number, (name, item) in enumerate(value.items()):
        parts.append(member_text(number, name, item, indent))
    return [*parts, bytearray(b"\n}\n")]


def member_text(number: int, name: str, value, indent: int) -> bytearray:
    out = bytearray()
    _member(out, number, name, value, indent)
    return out


class Written:
    """An item of a streamed list given as its text already (UTF-8, as _stream writes it)."""

    __slots__ = ("text",)

    def __init__(self, text: bytes | memoryview):
        self.text = text


def _stream(out: bytearray, items: Iterable, pad: str, indent: int) -> None:
    out += b"["
    count = 0
    for item in items:
        if type(item) is Written:
            out += f'{"," if count else ""}\n{pad * 2}'.encode()
            out += item.text
        else:
            out += f'{"," if count else ""}\n{pad * 2}{_text(item, indent, 2)}'.encode()
        count += 1
    out += f"\n{pad}]".encode() if count else b"]"


class PublishedList:
    """A list of objects as _stream wrote it at indent 1, in `text` between `start` and `end`,
    read forward: a run of items that follow one another there is taken as one piece.

    A rebuild carries most of a county's entries (100,000 in datapackage.json, 50,000 in the
    manifest) as the last build wrote them: copied in a few pieces, each checked to hold the
    items asked for and no others, instead of item by item (1 s). Each item is known by the
    value of its first key, `first_key`, which every item has.
    """

    def __init__(self, text: bytes, first_key: str, start: int = 0, end: int = -1):
        self.text, self._view = text, memoryview(text)
        self._head = b'\n  {\n   "' + first_key.encode() + b'": '
        close = text.rfind(b"\n ]", start, len(text) if end < 0 else end)  # the list's end
        self._close, self._at = max(close, start), start  # an empty list ("[]"): nothing is found in it

    def run(self, first: str, last: str, count: int, marks: Iterable[bytes] = ()) -> Written | None:
        """The items from the one named `first` to the one named `last`, the first found after
        the last run taken: their text as one piece, or None unless they are `count` items in
        all and hold each of `marks` in turn (one an item, say)."""
        text, head = self.text, self._head
        begin = text.find(head + encode_basestring(first).encode() + b",", self._at, self._close)
        final = text.find(head + encode_basestring(last).encode() + b",", begin, self._close) if begin >= 0 else -1
        if final < 0:
            return None
        after = text.find(head, final + 1, self._close)
        stop = after - 1 if after >= 0 else self._close  # before the comma, or the list's end
        if text.count(head, begin, stop) != count:
            return None
        at = begin
        for mark in marks:
            at = text.find(mark, at, stop)
            if at < 0:
                return None
            at += len(mark)
        self._at = stop
        return Written(self._view[begin + 3:stop])  # from the item's "{"


def in_runs(items: Iterable, carried: Callable[[object], bool], copy: Callable[[list], Written | None],
            make: Callable[[object], Iterable]) -> Iterator:
    """What `make` gives for each item, but for each run of items `carried` what `copy` gives
    for them at once (PublishedList.run), when it can."""
    run: list = []
    for item in items:
        if carried(item):
            run.append(item)
            continue
        if run:
            yield from _run(run, copy, make)
            run = []
        yield from make(item)
    if run:
        yield from _run(run, copy, make)


def _run(run: list, copy: Callable[[list], Written | None], make: Callable[[object], Iterable]) -> Iterator:
    piece = copy(run)
    if piece is not None:
        yield piece
    else:
        for item in run:
            yield from make(item)
