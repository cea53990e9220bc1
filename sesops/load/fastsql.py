"""The DuckDB query of the JSON Lines fast path, generated from :mod:`sesops.events.shapes`.

Every event type in the table gets its json_transform structure, its recipients, its
detail columns and its category rule here, so DuckDB reads exactly what the Python
parser and the msgspec decoder read: SNS Notifications (``Message`` parsed once), raw SES
objects, and EventBridge events from SES whose ``detail-type`` names their ``eventType``.
Event types outside the table, and everything else, come out irregular and go to the
Python parser.
"""

from __future__ import annotations

import orjson

from sesops.events.parse import COLUMNS, EMAIL_WHITESPACE
from sesops.events.shapes import (
    COMMON_DETAIL_COLUMNS,
    DETAIL_VALUE_COLUMNS,
    EVENTBRIDGE_DETAIL_TYPES,
    EVENTBRIDGE_SOURCE,
    RECIPIENT_COLUMNS,
    RECIPIENT_FIELDS,
    SHAPES,
    Case,
    EventShape,
    Rule,
)
from sesops.load.dedupe import hash_sql

#: DuckDB's JSON buffers scale with this; SNS caps a message at 256 KiB, so longer lines
#: are unusual enough to leave to the pure parser.
MAX_LINE_BYTES = 2 << 20

Shape = str | list["Shape"] | dict[str, "Shape"]

_MAIL_SHAPE: dict[str, Shape] = {
    "timestamp": "VARCHAR",
    "messageId": "VARCHAR",
    "source": "VARCHAR",
    "sendingAccountId": "VARCHAR",
    "destination": ["VARCHAR"],
    "commonHeaders": {"subject": "VARCHAR"},
}
_ENVELOPE_SHAPE: dict[str, Shape] = {
    "Type": "VARCHAR",
    "MessageId": "VARCHAR",
    "TopicArn": "VARCHAR",
    "Message": "VARCHAR",
}

MACROS = f"""
CREATE OR REPLACE TEMP MACRO sesops_email(a) AS
    CASE WHEN contains(a, '<') AND suffix(trim(a, '{EMAIL_WHITESPACE}'), '>')
    THEN lower(trim(regexp_extract(trim(a, '{EMAIL_WHITESPACE}'), '<([^<]*)>$', 1), '{EMAIL_WHITESPACE}'))
    ELSE lower(trim(a, '{EMAIL_WHITESPACE}')) END;
"""


def _detail_shape(shape: EventShape) -> dict[str, Shape]:
    fields: dict[str, Shape] = dict.fromkeys(shape.detail_fields, "VARCHAR")
    if shape.recipients_key is not None:
        recipient: Shape = (
            dict.fromkeys(RECIPIENT_FIELDS, "VARCHAR") if shape.detailed_recipients else "VARCHAR"
        )
        fields[shape.recipients_key] = [recipient]
    return fields


def ses_shape() -> dict[str, Shape]:
    """The parts of an SES object the row contract needs (a json_transform structure)."""
    shape: dict[str, Shape] = {"notificationType": "VARCHAR", "eventType": "VARCHAR", "mail": _MAIL_SHAPE}
    shape.update((s.detail_key, _detail_shape(s)) for s in SHAPES)
    return shape


def _duck_type(shape: Shape) -> str:
    """The DuckDB type of a json_transform structure."""
    if isinstance(shape, str):
        return shape
    if isinstance(shape, list):
        return _duck_type(shape[0]) + "[]"
    return "STRUCT(" + ", ".join(f'"{name}" {_duck_type(kind)}' for name, kind in shape.items()) + ")"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _by_type(values: dict[str, str]) -> str:
    """``CASE et WHEN <type> THEN <expression> ... END`` (NULL for other types)."""
    if not values:
        return "NULL::VARCHAR"
    return "CASE et " + " ".join(f"WHEN {_literal(t)} THEN {v}" for t, v in values.items()) + " END"


def _field(shape: EventShape, name: str) -> str:
    return f's."{shape.detail_key}"."{name}"'


def _recipients(shape: EventShape) -> str:
    key = shape.recipients_key
    return "s.mail.destination" if key is None else _field(shape, key)


def _judged_columns() -> str:
    """The per-message select list: recipients (detailed or bare) and the detail columns."""
    detailed = {s.event_type: _recipients(s) for s in SHAPES if s.detailed_recipients}
    bare = {s.event_type: _recipients(s) for s in SHAPES if not s.detailed_recipients}
    common = dict(COMMON_DETAIL_COLUMNS)
    timestamps = {s.event_type: _field(s, common["timestamp"]) for s in SHAPES}
    feedback = {s.event_type: _field(s, common["feedback_id"]) for s in SHAPES}
    details = [
        _by_type({s.event_type: _field(s, f) for s in SHAPES for c, f in s.columns if c == column})
        + f" AS {column}"
        for column in DETAIL_VALUE_COLUMNS
    ]
    return ",\n        ".join(
        [
            f"{_by_type(detailed)} AS detailed",
            f"{_by_type(bare)} AS bare",
            "coalesce(s.mail IS NOT NULL AND coalesce(len(detailed), len(bare)) > 0, false) AS regular",
            # timestamps are parsed by Arrow afterwards: much cheaper
            f"coalesce(nullif({_by_type(timestamps)}, ''), s.mail.timestamp) AS " + '"timestamp"',
            *details,
            "s.mail.messageId AS message_id",
            f"{_by_type(feedback)} AS feedback_id",
            "s.mail.source AS source",
            "s.mail.sendingAccountId AS sending_account_id",
            "s.mail.commonHeaders.subject AS subject",
            "sns_id AS sns_message_id",
            "topic AS topic_arn",
        ]
    )


def _recipient_columns() -> str:
    """Each row's recipient columns, from its detailed recipient ``d`` or bare address ``b``."""
    columns = []
    for column, field in RECIPIENT_COLUMNS:
        value = f'd."{field}"'
        if column == "email":
            value = f"sesops_email(coalesce({value}, b))"
        columns.append(f"{value} AS {column}")
    return ", ".join(columns)


def _condition(column: str, wanted: str | None) -> str:
    return f"coalesce(\"{column}\", '') = ''" if wanted is None else f'"{column}" = {_literal(wanted)}'


def _rule_sql(rule: Rule) -> str:
    """A category rule as SQL over the output columns (first matching case wins)."""

    def when(case: Case) -> str:
        return " AND ".join(_condition(column, wanted) for column, wanted in case.when)

    if len(rule) == 1:
        return _literal(rule[0].category)
    cases = " ".join(f"WHEN {when(case)} THEN {_literal(case.category)}" for case in rule[:-1])
    return f"CASE {cases} ELSE {_literal(rule[-1].category)} END"


def _output_columns() -> str:
    expressions = {
        "recipient_domain": "CASE WHEN contains(email, '@') THEN nullif(split_part(email, '@', -1), '') END",
        "category": "CASE event_type "
        + " ".join(f"WHEN {_literal(s.event_type)} THEN {_rule_sql(s.rule)}" for s in SHAPES)
        + " END",
    }
    return ", ".join(f"{expressions[c]} AS {c}" if c in expressions else f'"{c}"' for c in COLUMNS)


def query(
    path_param: str, *, guarded: bool = False, ordinals: bool = False, refuse_duplicates: bool = False
) -> str:
    """The whole fast path as one query over the file at ``path_param``.

    Output: the contract columns plus ``_regular``; each irregular message appears once
    as an all-NULL row. With ``ordinals`` it also numbers messages (``_ordinal``, the
    non-blank line count), which costs a streaming window, so it is asked for only
    when the first pass found irregular messages. ``guarded`` wraps the Message parse
    in ``try()``: about twice as slow, but it survives a Message that looks like an
    object and is not valid JSON. ``refuse_duplicates`` reads each line as text too, and
    makes a line irregular when it or its Message names a key twice in one object
    (:mod:`sesops.load.duplicates`: the parser then rejects it).
    """
    ses = ses_shape()
    fields: dict[str, Shape] = {
        **_ENVELOPE_SHAPE,
        **ses,
        "detail-type": "VARCHAR",
        "source": "VARCHAR",
        "detail": ses,
    }
    parse = f"json_transform(\"Message\", '{orjson.dumps(ses).decode()}')"
    if guarded:
        parse = f"try({parse})"
    raw_ses = "struct_pack(" + ", ".join(f'"{k}" := "{k}"' for k in ses) + f")::{_duck_type(ses)}"
    detail_type = 'CASE "detail-type" ' + " ".join(
        f"WHEN {_literal(name)} THEN {_literal(event_type)}"
        for name, event_type in EVENTBRIDGE_DETAIL_TYPES.items()
    )
    eventbridge = (
        f'"Type" IS NULL AND "source" = {_literal(EVENTBRIDGE_SOURCE)} '
        f'AND coalesce("detail"."eventType", "detail"."notificationType") = {detail_type} END'
    )
    source = _source(path_param, fields, refuse_duplicates)
    repeated = (
        f"""WHEN "_repeated" OR ("Type" = 'Notification' AND {_repeats_a_key('"Message"')}) THEN NULL"""
        if refuse_duplicates
        else ""
    )
    ordinal = "row_number() OVER ()" if ordinals else "NULL::BIGINT"
    return f"""
WITH messages AS (
    SELECT {ordinal} AS ordinal, "MessageId" AS sns_id, "TopicArn" AS topic,
        CASE {repeated}
            WHEN "notificationType" IS NOT NULL OR "eventType" IS NOT NULL THEN {raw_ses}
            WHEN "Type" = 'Notification' AND starts_with(ltrim("Message"), '{{') THEN {parse}
            WHEN {eventbridge} THEN "detail"
        END AS s
    FROM {source}
), typed AS (
    SELECT ordinal, sns_id, topic, s, coalesce(s."eventType", s."notificationType") AS et
    FROM messages
), judged AS (
    -- Per-message scalars before the unnest (it copies whatever is still in the row). Each
    -- message has either detailed recipients (structs) or bare addresses, never both.
    SELECT ordinal, et AS event_type,
        {_judged_columns()}
    FROM typed
), flat AS (
    -- Unnests in the select list walk their lists in parallel: one of the two is NULL,
    -- so the other sets the rows. An irregular message keeps one all-NULL row.
    SELECT * EXCLUDE (detailed, bare),
        unnest(CASE WHEN regular THEN detailed ELSE list_value(NULL) END) AS d,
        unnest(CASE WHEN regular THEN bare END) AS b,
        coalesce(generate_subscripts(CASE WHEN regular THEN detailed ELSE list_value(NULL) END, 1),
                 generate_subscripts(CASE WHEN regular THEN bare END, 1)) = 1 AS first_of_message
    FROM judged
), normalized AS (
    SELECT * EXCLUDE (d, b), {_recipient_columns()}
    FROM flat
)
SELECT {_output_columns()},
    ordinal AS _ordinal, regular AS _regular, first_of_message AS _first, {hash_sql()}
FROM normalized
"""


def _source(path_param: str, fields: dict[str, Shape], refuse_duplicates: bool) -> str:
    """The lines as the envelope's columns (plus ``_repeated`` when duplicates are refused:
    json_transform and read_json keep a repeated key's first value without a word)."""
    options = f"format='newline_delimited', ignore_errors=true, maximum_object_size={MAX_LINE_BYTES}"
    if not refuse_duplicates:
        columns = ", ".join(f"\"{k}\": '{_duck_type(v)}'" for k, v in fields.items())
        return f"read_json({path_param}, {options}, columns={{{columns}}})"
    shape = orjson.dumps(fields).decode()
    return f"""(SELECT unnest(json_transform(json, '{shape}')), {_repeats_a_key("json")} AS "_repeated"
        FROM read_json({path_param}, {options}, records=false, columns={{'json': 'JSON'}}))"""


def _repeats_a_key(text: str) -> str:
    """SQL: ``text`` is a JSON object naming a key twice in one of its objects (false when not JSON)."""
    keys = f"json_keys({text})"
    nested = f"list_bool_or(list_transform(json_keys({text}, '$..*'), lambda k: len(k) <> list_unique(k)))"
    return f"coalesce(try(len({keys}) <> list_unique({keys}) OR {nested}), false)"
