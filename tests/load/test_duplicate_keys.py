"""read_events(duplicate_keys="refuse"): a record naming a key twice is rejected alike by both
engines, its reason naming the key's path, at every level (envelope, Message, nested objects)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesops.errors import InputError
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from sesops.load.duplicates import duplicate_reason
from sesops.load.reader import read_events
from tests.events.test_channels import eventbridge
from tests.load.test_channels_engines import DELAY
from tests.payloads import bounce, complaint, delivery, envelope

DETAIL_TYPE = {event_type: name for name, event_type in EVENTBRIDGE_DETAIL_TYPES.items()}
Engine = Literal["python", "duckdb"]
ENGINES: tuple[Engine, ...] = ("python", "duckdb")


def dumps(
    value: Any, inject: tuple[tuple[Any, ...], str, Any, bool] | None = None, at: tuple[Any, ...] = ()
) -> str:
    """JSON text of ``value``; ``inject`` = (path of an object, key, extra value, extra first?)
    writes that key of that object twice."""
    if isinstance(value, dict):
        pairs = [(k, dumps(v, inject, (*at, k))) for k, v in value.items()]
        if inject is not None and inject[0] == at:
            _, key, extra, first = inject
            index = next(i for i, (k, _) in enumerate(pairs) if k == key)
            pairs.insert(index if first else index + 1, (key, json.dumps(extra)))
        return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v, inject, (*at, i)) for i, v in enumerate(value)) + "]"
    return json.dumps(value)


def objects(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], list[str]]]:
    """(path, keys) of every non-empty object in ``value``."""
    found = []
    if isinstance(value, dict):
        if value:
            found.append((at, list(value)))
        for k, v in value.items():
            found += objects(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += objects(v, (*at, i))
    return found


def dotted(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


SES = [bounce("a@x.org", "b@x.org"), complaint(), delivery("c@x.org"), DELAY]
EXTRA = st.sampled_from([None, "Transient", "Notification", 5, {"emailAddress": "evil@x.org"}, [], True])


@st.composite
def forged_lines(draw: st.DrawFn) -> tuple[str, str]:
    """A line with one key written twice somewhere, and the path the reason must name."""
    ses = draw(st.sampled_from(SES))
    channel = draw(st.sampled_from(["sns", "raw", "eventbridge"]))
    published = {"eventType": ses.get("eventType") or ses["notificationType"], **ses}
    published.pop("notificationType", None)
    outer = {
        "sns": envelope(ses, message_id=f"sns-{draw(st.integers(0, 10**6))}"),
        "raw": ses,
        "eventbridge": eventbridge(published, DETAIL_TYPE[published["eventType"]]),
    }[channel]
    inner = channel == "sns" and draw(st.booleans())  # inside the Message text
    tree = ses if inner else outer
    path, keys = draw(st.sampled_from(objects(tree)))
    key = draw(st.sampled_from(keys))
    inject = (path, key, draw(EXTRA), draw(st.booleans()))
    if inner:
        line = dumps({**outer, "Message": "@"}).replace('"@"', json.dumps(dumps(ses, inject)))
        return line, dotted(("Message", *path, key))
    return dumps(outer, inject), dotted((*path, key))


GOOD = [envelope(bounce("good@x.org", feedback_id="fb-good"), message_id="g1"), delivery("fine@x.org")]


@pytest.mark.timeout(300)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(forged_lines(), min_size=1, max_size=3))
def test_both_engines_reject_every_repeated_key_alike(tmp_path: Path, forged: list[tuple[str, str]]) -> None:
    path = tmp_path / "forged.jsonl"
    lines = [json.dumps(GOOD[0]), *(line for line, _ in forged), json.dumps(GOOD[1])]
    path.write_text("\n".join(lines) + "\n")
    python, duckdb = (read_events(path, engine=e, duplicate_keys="refuse") for e in ENGINES)
    pd.testing.assert_frame_equal(python, duckdb)
    assert python.attrs == duckdb.attrs
    assert sorted(python["email"]) == ["fine@x.org", "good@x.org"]
    reasons = [(r["line"], r["reason"]) for r in python.attrs["rejects"]]
    assert reasons == [
        (n, f"duplicate key {where!r} (JSON readers disagree on which value counts)")
        for n, (_, where) in enumerate(forged, start=2)
    ]


@pytest.mark.parametrize(
    ("record", "path"),
    [
        ('{"Type":"Notification","Type":"x"}', "Type"),
        ('{"a":{"b":[{"c":1,"c":2}]}}', "a.b[0].c"),
        (
            dumps(bounce(), (("bounce", "bouncedRecipients", 0), "status", None, True)),
            "bounce.bouncedRecipients[0].status",
        ),
        ({"Message": '{"mail":{},"mail":{}}'}, "Message.mail"),
        (
            {"Records": [{"eventSource": "aws:sqs", "body": json.dumps({"Body": '{"x":1,"x":1}'})}]},
            "Records[0].body.Body.x",
        ),
        (
            {"Records": [{"Sns": {"Message": '{"eventType":"Open","eventType":"Send"}'}}]},
            "Records[0].Sns.Message.eventType",
        ),
        ('{"\\u004dessage": "{\\"a\\":1,\\"a\\":2}"}', "Message.a"),
    ],
)
def test_the_reason_names_the_path_through_carried_texts(record: Any, path: str) -> None:
    assert duplicate_reason(record) == f"duplicate key {path!r} (JSON readers disagree on which value counts)"


@pytest.mark.parametrize(
    "record", [b"{nope", '{"Message": "{not json"}', {"a": 1}, envelope(bounce()), "[1, 2]"]
)
def test_records_without_repeats_or_not_json_are_left_to_the_parser(record: Any) -> None:
    assert duplicate_reason(record) is None


def test_trusting_the_json_is_the_default_and_a_typo_is_refused(tmp_path: Path) -> None:
    forged = (
        '{"Type":"x","Type":"Notification","MessageId":"m","Message":"'
        + json.dumps(json.dumps(delivery()))[1:-1]
        + '"}'
    )
    (tmp_path / "f.jsonl").write_text(forged + "\n")
    trusted = read_events(tmp_path / "f.jsonl", engine="python")  # the last "Type" counts
    assert (len(trusted), trusted.attrs["rejected"]) == (1, 0)
    with pytest.raises(InputError, match="duplicate_keys must be 'read' or 'refuse'"):
        read_events(tmp_path / "f.jsonl", duplicate_keys="ignore")  # type: ignore[arg-type]
