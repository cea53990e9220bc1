"""Refusing records that name a key twice, for ``read_events(duplicate_keys="refuse")``.

JSON readers disagree on a repeated key: orjson and msgspec (the pure engine) keep the last
value, DuckDB keeps the first. With ``"refuse"`` both engines reject such a record, the reason
naming the key's path, at every level the parser reads: the record's own text and the JSON texts
it carries (an SNS ``Message``, an SQS ``Body``, a Lambda record's ``body``). The exact check is
:func:`sesops.events.strict.duplicate_key`; DuckDB's query finds the same records with
``json_keys`` (:func:`sesops.load.fastsql.query`) and hands them to the parser, which gives the
reason here, so both engines reject the same records with the same words.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson

from sesops.errors import RecordError
from sesops.events.strict import duplicate_key

#: ``read_events``' choices: ``"read"`` trusts the JSON (the HTTP receiver already refuses
#: repeated keys); ``"refuse"`` checks every record (3-4x the CPU time of a load).
DuplicateKeys = Literal["read", "refuse"]
DUPLICATE_KEY_CHOICES: tuple[DuplicateKeys, ...] = ("read", "refuse")

#: Keys whose text value the parser decodes as JSON, and keys it descends into.
_CARRIED_TEXT = ("Message", "Body", "body")
_CARRIED_OBJECTS = ("Records", "Messages", "Sns", "detail")
_MAX_DEPTH = 4  # as deep as the parser unwraps


def duplicate_reason(data: Any) -> str | None:
    """The reject reason of a record that names a key twice at any level it is read, else None.

    ``data`` is the record as text (``str``/``bytes``) or already decoded (then only the JSON
    texts it carries can be checked). Text that is not JSON is left to the parser to judge.
    """
    if isinstance(data, str | bytes | bytearray | memoryview):
        found = _in_text(data, "", 0)
    else:
        found = _in_value(data, "", 0)
    return None if found is None else f"duplicate key {found!r} (JSON readers disagree on which value counts)"


def _in_text(text: str | bytes | bytearray | memoryview, path: str, depth: int) -> str | None:
    """The path of the first repeated key in ``text`` or the texts it carries (a carried text's
    keys continue its own path: ``Message.mail.destination``)."""
    if isinstance(text, memoryview):
        text = bytes(text)
    try:
        found = duplicate_key(text)
        carries = found is None and any(needle in text for needle in _needles(text))
        value = orjson.loads(text) if carries else None
    except (RecordError, orjson.JSONDecodeError):
        return None  # not JSON: the parser says why
    if found is not None:
        return _join(path, found)
    return _in_value(value, path, depth) if carries else None


def _needles(text: str | bytes | bytearray) -> tuple[Any, ...]:
    """The keys of carried texts as they appear in ``text`` (a cheap test before decoding it),
    and the escape a key could be spelt with instead."""
    keys = (*(f'"{key}"' for key in _CARRIED_TEXT), "\\u")
    return keys if isinstance(text, str) else tuple(key.encode() for key in keys)


def _in_value(value: Any, path: str, depth: int) -> str | None:
    """The first repeated key inside the JSON texts that ``value`` carries."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _in_value(item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
        return None
    if not isinstance(value, dict):
        return None
    for key in _CARRIED_TEXT:
        text = value.get(key)
        if isinstance(text, str) and text.lstrip()[:1] in ("{", "["):
            found = _in_text(text, _join(path, key), depth + 1)
            if found is not None:
                return found
    for key in _CARRIED_OBJECTS:
        if key in value:
            found = _in_value(value[key], _join(path, key), depth + 1)
            if found is not None:
                return found
    return None


def _join(path: str, below: str) -> str:
    return below if not path else path + below if below.startswith("[") else f"{path}.{below}"
