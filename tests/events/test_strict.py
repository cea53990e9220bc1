"""Duplicate JSON keys are found at every level, with the path that names them."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sesops.errors import RecordError
from sesops.events.strict import duplicate_key, loads_strict
from tests.payloads import bounce, envelope

FOUND = [
    ('{"a":1,"a":2}', "a"),
    ('{"Message":"forged","Type":"Notification","Message":"real"}', "Message"),
    ('{"mail":{"headers":[],"headers":[]}}', "mail.headers"),
    ('{"Records":[{"Sns":{}},{"Sns":{"x":1,"x":1}}]}', "Records[1].Sns.x"),
    ('[{"a":1},{"b":1,"b":2}]', "[1].b"),
    ('{"a":[[{"k":1,"k":1}]]}', "a[0][0].k"),
    ('{"a":{"x":1,"x":2},"a":3}', "a.x"),  # the repeat met first in the text wins
    ('{"a":1,"a":2,"b":{"x":1,"x":2}}', "a"),
    ('{"é":1,"\\u00e9":2}', "é"),  # the same key spelled two ways is still the same key
    ('{"a":1,\xa0"a":2}', "a"),  # a non-breaking space between tokens, as decode_json tolerates
]


@pytest.mark.parametrize(("text", "path"), FOUND)
def test_duplicate_key_names_the_path(text: str, path: str) -> None:
    assert duplicate_key(text) == path
    assert duplicate_key(text.encode()) == path
    with pytest.raises(RecordError, match=re.escape(f"duplicate key {path!r}")):
        loads_strict(text)


@pytest.mark.parametrize(
    "text", ['{"a":1,"b":2}', '{"a":{"a":{"a":1}}}', '[{"a":1},{"a":2}]', '"a"', "3", '{"a":"\\"a\\":1"}']
)
def test_no_duplicate_reads_as_orjson_does(text: str) -> None:
    assert duplicate_key(text) is None
    assert loads_strict(text) == orjson.loads(text)


NOT_JSON = [
    ('{"a":', "not JSON"),
    (b'{"a":"\xff"}', "not UTF-8"),
    ('{"a":NaN}', "not JSON"),
    ('{"a":Infinity}', "not JSON"),
    ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ('{"a":' + "9" * 5000 + "}", "not JSON"),
]


@pytest.mark.parametrize(("data", "reason"), NOT_JSON, ids=["cut", "latin1", "nan", "inf", "deep", "bigint"])
def test_not_json_is_a_record_error(data: str | bytes, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        duplicate_key(data)
    with pytest.raises(RecordError, match="not JSON"):
        loads_strict(data)


def test_a_real_envelope_has_no_duplicate_and_a_forged_message_is_found() -> None:
    body = json.dumps(envelope(bounce()))
    assert duplicate_key(body) is None
    forged = '{"Message": "{\\"forged\\": true}", ' + body[1:]
    assert duplicate_key(forged) == "Message"


# A JSON value with unique keys, any nesting; keys may contain dots and brackets (the path is
# only a name for people, never parsed back).
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


def objects_in(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every object under ``value`` with the path of its keys (".k" or "[i]" per step), in document order."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, item in value.items():
            found += objects_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += objects_in(item, f"{path}[{index}]")
    return found


def dump_with_repeat(value: Any, target: dict[str, Any], key: str) -> str:
    """JSON text of ``value`` with ``key`` written a second time (last) in the ``target`` object."""
    if isinstance(value, dict):
        members = [f"{json.dumps(k)}:{dump_with_repeat(v, target, key)}" for k, v in value.items()]
        if value is target:
            members.append(f'{json.dumps(key)}:"forged"')
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump_with_repeat(v, target, key) for v in value) + "]"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(value=values, data=st.data())
def test_a_duplicate_at_any_level_is_found_with_its_path(value: Any, data: st.DataObject) -> None:
    assert duplicate_key(json.dumps(value)) is None
    candidates = [(path, obj) for path, obj in objects_in(value) if obj]
    if not candidates:
        return
    path, target = data.draw(st.sampled_from(candidates))
    key = data.draw(st.sampled_from(sorted(target)))
    text = dump_with_repeat(value, target, key)
    expected = f"{path}.{key}".removeprefix(".")
    assert duplicate_key(text) == expected
    with pytest.raises(RecordError, match="duplicate key"):
        loads_strict(text)
