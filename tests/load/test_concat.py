"""Concatenated records -> one record per line: boundaries found right, whatever the strings hold."""

from __future__ import annotations

import json
import random

import pytest

from sesops.load.concat import careful_chunks, json_lines, value_end


def records_of(chunks: list[bytes]) -> list[object]:
    return [json.loads(chunk) for chunk in chunks]


def split(data: bytes) -> list[bytes]:
    """The lines json_lines makes of ``data`` (checking the count it gives)."""
    text, count = json_lines(data)
    assert (text + b"\n").count(b"\n") == count
    return text.split(b"\n")


def test_records_without_a_delimiter_become_lines() -> None:
    data = b'{"a":1}{"b":{"c":[1,{}]}}{"d":"x"}'
    assert records_of(split(data)) == [{"a": 1}, {"b": {"c": [1, {}]}}, {"d": "x"}]


def test_json_lines_are_left_as_they_are() -> None:
    data = b'{"a":1}\n{"b":2}\n'
    assert json_lines(data) == (data, 3)  # the newline written after it ends a blank line


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"s":"x}{y"}{"b":2}', [{"s": "x}{y"}, {"b": 2}]),  # a cut inside a string is not one
        (b'{"s":"\\\\"}{"b":"}{"}', [{"s": "\\"}, {"b": "}{"}]),  # an escaped backslash ends the string
        (b'{"s":"\\"}{\\""}{"b":2}', [{"s": '"}{"'}, {"b": 2}]),  # escaped quotes do not
        (b'{"a":1} {"b":2}\n\n{"c":3}{"d":4}', [{"a": 1}, {"b": 2}, {"c": 3}, {"d": 4}]),
        (b'{\n  "a": 1\n}{"b":2}', [{"a": 1}, {"b": 2}]),  # pretty-printed: one line each
        (b'  {"a":1}{"b":2}  \n', [{"a": 1}, {"b": 2}]),
    ],
)
def test_boundaries(data: bytes, expected: list[object]) -> None:
    assert records_of(split(data)) == expected


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        (b'{"a":1}{"b":nope}{"c":3}', b'{"b":nope}'),  # balanced but not JSON
        (b'{"a":1}{"b":[2}{"c":3}', b'{"b":[2}'),  # never closes: up to the next boundary
        (b'{"a":1}{"b":"open}{"c":3}', b'{"b":"open}'),  # a string that never ends
    ],
)
def test_a_bad_record_is_its_own_line_and_its_neighbours_survive(data: bytes, bad: bytes) -> None:
    chunks = [line.strip() for line in split(data)]
    assert bad in chunks
    assert chunks[0] == b'{"a":1}' and chunks[-1] == b'{"c":3}'


def test_value_end() -> None:
    data = b'{"a":"}]"}[1,[2]] x'
    assert value_end(data, 0) == 10
    assert value_end(data, 10) == 17
    assert value_end(data, 18) is None  # opens nothing
    assert value_end(b'{"a":[1}', 0) is None  # never closes


def test_random_records_split_back_exactly() -> None:
    rng = random.Random(10)
    alphabet = ["}{", "}", "{", '"', "\\", "\n", "é", "a", " ", "]["]
    records = [
        {"id": n, "text": "".join(rng.choice(alphabet) for _ in range(rng.randrange(8))), "n": [{}] * (n % 3)}
        for n in range(300)
    ]
    separators = [b"", b"", b"", b"\n", b" ", b"\r\n"]
    data = b"".join(json.dumps(r).encode() + rng.choice(separators) for r in records)
    assert records_of(split(data)) == records
    assert records_of(careful_chunks(data)) == records
