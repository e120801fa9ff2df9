"""The layout of a build record's file: its head, its files, its units, each kept with marshal.

Read here by reuse (the whole record) and by site_scan's checker, a separate process that
needs only the head and the files, so neither imports the other's dependencies.
"""

from __future__ import annotations

import marshal

_SECTION = 8  # bytes giving the length of the record's head, then of its files


def sections(record: dict) -> bytes:
    """The record as one file: head, files, units."""
    head = marshal.dumps({key: value for key, value in record.items() if key not in ("files", "units")})
    files = marshal.dumps(record["files"])
    return b"".join([len(head).to_bytes(_SECTION, "little"), head,
                     len(files).to_bytes(_SECTION, "little"), files, marshal.dumps(record["units"])])


def head_and_files(view: memoryview) -> tuple[dict, dict, int]:
    """The head, the files and where the units begin; ValueError, EOFError or TypeError if the
    bytes are not a record this code wrote."""
    head_end = _SECTION + int.from_bytes(view[:_SECTION], "little")
    head = marshal.loads(view[_SECTION:head_end])
    if not isinstance(head, dict):
        raise TypeError("not a record")
    files_end = head_end + _SECTION + int.from_bytes(view[head_end:head_end + _SECTION], "little")
    files = marshal.loads(view[head_end + _SECTION:files_end])
    if not isinstance(files, dict):
        raise TypeError("not a record")
    return head, files, files_end


def units(view: memoryview, start: int) -> dict:
    found = marshal.loads(view[start:])
    if not isinstance(found, dict):
        raise TypeError("not a record")
    return found
