"""One reading of every JSON text: refuse objects that name a key twice.

JSON leaves duplicate keys undefined and readers disagree: orjson and the stdlib keep the last
value, SQLite's ``json_extract`` and DuckDB the first. A signed SNS envelope with a forged second
``Message`` in front of the real one would verify (against the last) and load (from the first),
so whatever must be read the same way everywhere is screened here first.

Pure, stdlib ``json`` with ``object_pairs_hook`` (C scanner; one ``dict`` and one ``len`` per
object on the fast path). The dotted path (``mail.headers``, ``Records[0].Sns.Message``) is worked
out only when a duplicate was found, by a second, slower reading.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sesops.errors import RecordError
from sesops.events.parse import decode_json

# A JSON string (skipped whole) or a non-breaking space outside strings (turned into a space), as
# decode_json tolerates text pasted from web pages.
_NBSP_OUTSIDE_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\xa0', re.DOTALL)


class _Duplicate(Exception):
    """Raised by the fast hook at the first object that repeats a key."""


class _Node(dict[str, Any]):
    """A decoded object of the slow reading, carrying the path of its first duplicate (or None)."""

    dup: str | None = None


def duplicate_key(data: str | bytes | bytearray | memoryview) -> str | None:
    """The dotted path of the first key that appears twice in one JSON object, or None.

    "First" is in document order of the repeat: ``{"a":1,"a":2}`` gives ``"a"``,
    ``{"mail":{"headers":[],"headers":[]}}`` gives ``"mail.headers"``, a duplicate in an
    array element gives ``"Records[0].Sns"``. Raises :class:`RecordError` when ``data`` is not JSON.
    """
    text = _text(data)
    try:
        _read(text, _fast_hook)
    except _Duplicate:
        return _locate(text)
    return None


def loads_strict(data: str | bytes | bytearray | memoryview) -> Any:
    """Decode JSON exactly as :func:`~sesops.events.parse.decode_json` does, refusing duplicate keys.

    Raises :class:`RecordError` ("duplicate key 'Message' ...") on a key named twice in any
    object, and when ``data`` is not JSON.
    """
    value = decode_json(data)
    path = duplicate_key(data)
    if path is not None:
        raise RecordError(f"duplicate key {path!r} (JSON readers disagree on which value counts)")
    return value


def envelope_duplicate(data: str | bytes | bytearray | memoryview, value: Any) -> tuple[str, str] | None:
    """Where a capture path finds a repeated key before it stores a body as verified:
    ``("body", path)`` for one in ``data`` itself, ``("Message", path)`` for one in the JSON text of
    its ``Message``, or None. ``value`` is ``data`` already decoded (the caller has it). Raises
    :class:`RecordError` when ``data`` is not JSON; a ``Message`` that is not JSON is the parser's
    to judge."""
    found = duplicate_key(data)
    if found is not None:
        return "body", found
    inner = value.get("Message") if isinstance(value, dict) else None
    if not isinstance(inner, str) or inner.lstrip()[:1] not in ("{", "["):
        return None
    try:
        found = duplicate_key(inner)
    except RecordError:
        return None
    return None if found is None else ("Message", found)


def _text(data: str | bytes | bytearray | memoryview) -> str:
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError("not JSON (not UTF-8)") from None


def _read(text: str, hook: Any) -> Any:
    try:
        return _loads(text, hook)
    except json.JSONDecodeError as err:
        if "\xa0" in text:
            cleaned = _NBSP_OUTSIDE_STRINGS.sub(lambda m: " " if m.group(0) == "\xa0" else m.group(0), text)
            try:
                return _loads(cleaned, hook)
            except json.JSONDecodeError:
                pass
        raise RecordError(f"not JSON ({err.msg})") from None
    except RecursionError:
        raise RecordError("not JSON (nested too deeply)") from None
    except ValueError as err:  # an integer past the interpreter's digit limit, a NaN/Infinity constant
        raise RecordError(f"not JSON ({err})") from None


def _loads(text: str, hook: Any) -> Any:
    return json.loads(text, object_pairs_hook=hook, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; orjson refuses them too.
    raise ValueError(f"{name} is not a JSON value")


def _fast_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Duplicate
    return obj


def _locate(text: str) -> str:
    root = _read(text, _path_hook)
    found = _child_path(root)
    if found is None:  # the fast reading saw a duplicate that the slow one must see too
        raise AssertionError("duplicate key vanished on the second reading")
    return found.removeprefix(".")


def _path_hook(pairs: list[tuple[str, Any]]) -> _Node:
    node = _Node(pairs)
    seen: set[str] = set()
    for key, value in pairs:
        if key in seen:
            node.dup = key
            break
        seen.add(key)
        below = _child_path(value)
        if below is not None:
            node.dup = key + below
            break
    return node


def _child_path(value: Any) -> str | None:
    """The path suffix (".k" or "[i].k") of the first duplicate under ``value``, or None."""
    if isinstance(value, _Node):
        return None if value.dup is None else "." + value.dup
    if isinstance(value, list):
        for index, item in enumerate(value):
            below = _child_path(item)
            if below is not None:
                return f"[{index}]{below}"
    return None
