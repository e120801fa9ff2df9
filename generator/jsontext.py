"""Large indented JSON files (manifest, checksums, datapackage) without large temporaries.

json.dumps with an indent runs json's pure-Python encoder, which collects every token in
one list before joining it: for a county's manifest that list alone is hundreds of MB.
These write the same bytes as json.dumps(..., ensure_ascii=False, indent=n) + "\\n", token by
token into one buffer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable


def indented(value, indent: int) -> bytearray:
    """json.dumps(value, ensure_ascii=False, indent=indent) + "\\n", as UTF-8."""
    out = bytearray()
    for token in json.JSONEncoder(ensure_ascii=False, indent=indent).iterencode(value):
        out += token.encode("utf-8")
    out += b"\n"
    return out


def indented_with_items(head: dict, key: str, items: Iterable, indent: int) -> bytearray:
    """As indented({**head, key: list(items)}), with the items made one at a time."""
    out = indented(head, indent)
    del out[-3 if head else -2:]  # reopen the object: drop its closing "\n}\n" ("}\n" when empty)
    pad = " " * indent
    out += f'{"," if head else ""}\n{pad}{json.dumps(key, ensure_ascii=False)}: ['.encode()
    count = 0
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=indent)
        lines = "\n".join(pad * 2 + line for line in text.split("\n"))  # a JSON string holds no raw newline
        out += ((",\n" if count else "\n") + lines).encode()
        count += 1
    out += (f"\n{pad}]" if count else "]").encode() + b"\n}\n"
    return out
