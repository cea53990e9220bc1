"""The vectorised JSON Lines path: DuckDB parses both JSON layers and unnests recipients.

One pass over the file with DuckDB's JSON reader (both cores): the SNS envelope's
fields and, for raw-delivery lines, the SES object itself are read as typed columns;
``Message`` is parsed once with ``json_transform``; each message's recipients are
chosen by its type and unnested in a single ``UNNEST``; the result comes back as
Arrow and then pandas (DuckDB's own ``.df()`` is twice as slow and three times the
memory).

Only lines this path can prove regular are handled here. Anything else (control
messages, SQS dumps, Lambda events, unknown event types, missing parts, not JSON) is
handed, with its exact line number, to the pure parser in :mod:`sesops.events.parse`, so both
paths yield the same rows and the same rejects.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
import pyarrow as pa

from sesops.errors import InputError
from sesops.events.parse import COLUMNS
from sesops.events.parse import EMAIL_WHITESPACE as _WHITESPACE
from sesops.load.dedupe import HASH_COLUMNS, hash_sql
from sesops.load.frames import parse_timestamps
from sesops.load.sources import RawRecord, open_lines

if TYPE_CHECKING:
    from sesops.load.reader import _Collector

log = logging.getLogger(__name__)

#: Below this size the pure parser is as quick as starting DuckDB.
MIN_BYTES = 1 << 20
#: DuckDB's JSON buffers scale with this; SNS caps a message at 256 KiB, so longer lines
#: are unusual enough to leave to the pure parser.
MAX_LINE_BYTES = 2 << 20

Shape = str | list["Shape"] | dict[str, "Shape"]

_RECIPIENT: Shape = {
    "emailAddress": "VARCHAR",
    "action": "VARCHAR",
    "status": "VARCHAR",
    "diagnosticCode": "VARCHAR",
}
_WITH_TIMESTAMP: Shape = {"timestamp": "VARCHAR"}
# The parts of an SES object the row contract needs (a json_transform structure).
_SES_SHAPE: dict[str, Shape] = {
    "notificationType": "VARCHAR",
    "eventType": "VARCHAR",
    "mail": {
        "timestamp": "VARCHAR",
        "messageId": "VARCHAR",
        "source": "VARCHAR",
        "sendingAccountId": "VARCHAR",
        "destination": ["VARCHAR"],
        "commonHeaders": {"subject": "VARCHAR"},
    },
    "bounce": {
        "bounceType": "VARCHAR",
        "bounceSubType": "VARCHAR",
        "feedbackId": "VARCHAR",
        "timestamp": "VARCHAR",
        "bouncedRecipients": [_RECIPIENT],
    },
    "complaint": {
        "complaintFeedbackType": "VARCHAR",
        "complaintSubType": "VARCHAR",
        "feedbackId": "VARCHAR",
        "timestamp": "VARCHAR",
        "complainedRecipients": [_RECIPIENT],
    },
    "delivery": {"timestamp": "VARCHAR", "recipients": ["VARCHAR"]},
    "deliveryDelay": {"timestamp": "VARCHAR", "delayType": "VARCHAR", "delayedRecipients": [_RECIPIENT]},
    "open": _WITH_TIMESTAMP,
    "click": _WITH_TIMESTAMP,
    "subscription": _WITH_TIMESTAMP,
}
_ENVELOPE_SHAPE: dict[str, Shape] = {
    "Type": "VARCHAR",
    "MessageId": "VARCHAR",
    "TopicArn": "VARCHAR",
    "Message": "VARCHAR",
}

_OTHER_TYPES = {
    "Send": "send",
    "Reject": "reject",
    "Open": "open",
    "Click": "click",
    "Rendering Failure": "rendering_failure",
    "Subscription": "subscription",
}


def _duck_type(shape: Shape) -> str:
    """The DuckDB type of a json_transform structure."""
    if isinstance(shape, str):
        return shape
    if isinstance(shape, list):
        return _duck_type(shape[0]) + "[]"
    return "STRUCT(" + ", ".join(f'"{name}" {_duck_type(kind)}' for name, kind in shape.items()) + ")"


_MACROS = f"""
CREATE OR REPLACE TEMP MACRO sesops_email(a) AS
    CASE WHEN contains(a, '<') AND suffix(trim(a, '{_WHITESPACE}'), '>')
    THEN lower(trim(regexp_extract(trim(a, '{_WHITESPACE}'), '<([^<]*)>$', 1), '{_WHITESPACE}'))
    ELSE lower(trim(a, '{_WHITESPACE}')) END;
"""


def _sql(path_param: str, *, guarded: bool = False, ordinals: bool = False) -> str:
    """The whole fast path as one query over the file at ``path_param``.

    Output: the contract columns plus ``_regular``; each irregular message appears once
    as an all-NULL row. With ``ordinals`` it also numbers messages (``_ordinal``, the
    non-blank line count), which costs a streaming window, so it is asked for only
    when the first pass found irregular messages. ``guarded`` wraps the Message parse
    in ``try()``: about twice as slow, but it survives a Message that looks like an
    object and is not valid JSON.
    """
    fields = {**_ENVELOPE_SHAPE, **_SES_SHAPE}
    columns = ", ".join(f"\"{k}\": '{_duck_type(v)}'" for k, v in fields.items())
    ses_type = _duck_type(_SES_SHAPE)
    parse = f"json_transform(\"Message\", '{orjson.dumps(_SES_SHAPE).decode()}')"
    if guarded:
        parse = f"try({parse})"
    raw_ses = "struct_pack(" + ", ".join(f'"{k}" := "{k}"' for k in _SES_SHAPE) + f")::{ses_type}"
    other_types = ", ".join(f"'{t}'" for t in _OTHER_TYPES)
    category_other = " ".join(f"WHEN '{t}' THEN '{c}'" for t, c in _OTHER_TYPES.items())
    ordinal = "row_number() OVER ()" if ordinals else "NULL::BIGINT"
    return f"""
WITH messages AS (
    SELECT {ordinal} AS ordinal, "MessageId" AS sns_id, "TopicArn" AS topic,
        CASE
            WHEN "notificationType" IS NOT NULL OR "eventType" IS NOT NULL THEN {raw_ses}
            WHEN "Type" = 'Notification' AND starts_with(ltrim("Message"), '{{') THEN {parse}
        END AS s
    FROM read_json({path_param}, format='newline_delimited', ignore_errors=true,
                   maximum_object_size={MAX_LINE_BYTES}, columns={{{columns}}})
), typed AS (
    SELECT ordinal, sns_id, topic, s, coalesce(s."eventType", s."notificationType") AS et
    FROM messages
), judged AS (
    -- Per-message scalars before the unnest (it copies whatever is still in the row). Each
    -- message has either detailed recipients (structs) or bare addresses, never both.
    SELECT ordinal, et AS event_type,
        CASE et
            WHEN 'Bounce' THEN s.bounce.bouncedRecipients
            WHEN 'Complaint' THEN s.complaint.complainedRecipients
            WHEN 'DeliveryDelay' THEN s.deliveryDelay.delayedRecipients
        END AS detailed,
        CASE WHEN et = 'Delivery' THEN s.delivery.recipients
            WHEN et IN ({other_types}) THEN s.mail.destination
        END AS bare,
        coalesce(s.mail IS NOT NULL AND coalesce(len(detailed), len(bare)) > 0, false) AS regular,
        coalesce(
            nullif(CASE et
                WHEN 'Bounce' THEN s.bounce.timestamp WHEN 'Complaint' THEN s.complaint.timestamp
                WHEN 'Delivery' THEN s.delivery.timestamp WHEN 'DeliveryDelay' THEN s.deliveryDelay.timestamp
                WHEN 'Open' THEN s.open.timestamp WHEN 'Click' THEN s.click.timestamp
                WHEN 'Subscription' THEN s.subscription.timestamp END, ''),
            s.mail.timestamp) AS "timestamp",  -- parsed by Arrow afterwards: much cheaper
        CASE WHEN et = 'Bounce' THEN s.bounce.bounceType END AS bounce_type,
        CASE WHEN et = 'Bounce' THEN s.bounce.bounceSubType END AS bounce_subtype,
        CASE WHEN et = 'Complaint' THEN s.complaint.complaintFeedbackType END AS complaint_feedback_type,
        CASE WHEN et = 'Complaint' THEN s.complaint.complaintSubType END AS complaint_subtype,
        CASE WHEN et = 'DeliveryDelay' THEN s.deliveryDelay.delayType END AS delay_type,
        s.mail.messageId AS message_id,
        CASE et WHEN 'Bounce' THEN s.bounce.feedbackId WHEN 'Complaint' THEN s.complaint.feedbackId END
            AS feedback_id,
        s.mail.source AS source, s.mail.sendingAccountId AS sending_account_id,
        s.mail.commonHeaders.subject AS subject, sns_id AS sns_message_id, topic AS topic_arn
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
    SELECT * EXCLUDE (d, b), sesops_email(coalesce(d.emailAddress, b)) AS email,
        d.action AS action, d.status AS status, d.diagnosticCode AS diagnostic_code
    FROM flat
)
SELECT event_type, "timestamp", email,
    CASE WHEN contains(email, '@') THEN nullif(split_part(email, '@', -1), '') END AS recipient_domain,
    bounce_type, bounce_subtype, action, status, diagnostic_code,
    complaint_feedback_type, complaint_subtype, delay_type, message_id, feedback_id, source,
    sending_account_id, subject, sns_message_id, topic_arn,
    CASE event_type
        WHEN 'Bounce' THEN CASE bounce_type
            WHEN 'Permanent' THEN 'hard_bounce'
            WHEN 'Transient' THEN CASE WHEN bounce_subtype = 'General'
                AND coalesce(status, '') = '' THEN 'auto_reply' ELSE 'soft_bounce' END
            ELSE 'undetermined' END
        WHEN 'Complaint' THEN CASE WHEN complaint_feedback_type = 'not-spam'
            THEN 'not_spam' ELSE 'complaint' END
        WHEN 'Delivery' THEN 'delivery'
        WHEN 'DeliveryDelay' THEN 'delay'
        {category_other}
    END AS category,
    ordinal AS _ordinal, regular AS _regular, first_of_message AS _first, {hash_sql()}
FROM normalized
"""


def worth_it(path: Path) -> bool:
    """True when ``path`` is large enough that DuckDB beats the pure parser."""
    try:
        return path.stat().st_size >= MIN_BYTES
    except OSError:
        return False


BATCH_ROWS = 1 << 16


def load_lines(path: Path, collector: _Collector, *, progress: bool = False) -> None:
    """Load one JSON Lines file (gzip or not) into ``collector``.

    Results stream from DuckDB in batches that are deduplicated and kept as they come,
    so DuckDB reuses each batch's memory for the next one. Messages the pure parser
    must judge are cut out of the stream; if there were any, a second pass numbers the
    lines (a window DuckDB runs on one thread, so only dirty files pay for it) and those
    lines go to the parser with their line numbers.
    """
    import duckdb

    params = {"path": str(path)}
    con = duckdb.connect(config={"threads": _cpu_count()})
    mark = collector.mark()
    handed_over, fallback = 0, False
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET arrow_large_buffer_size = true")  # large_string: what pandas' str dtype holds
        # Let DuckDB run ahead of the Python side (dedupe, filtering) by a few batches.
        con.execute("SET max_streaming_buffer_size = '64MB'")
        con.execute("SET streaming_buffer_size = '64MB'")
        con.execute(_MACROS)
        try:
            handed_over = _stream(con, _sql("$path"), params, path, collector, progress)
        except duckdb.InvalidInputException:  # a Message that is not valid JSON: parse defensively
            collector.rollback(mark)
            handed_over = _stream(con, _sql("$path", guarded=True), params, path, collector, progress)
        if handed_over:
            ordinals, total = _irregular_ordinals(con, params)
    except duckdb.Error as err:
        # Whatever DuckDB cannot read (a line over MAX_LINE_BYTES, bytes that are not
        # UTF-8 where it needs text), the pure parser can: slower, and nothing is lost.
        log.info("%s: DuckDB could not read it (%s); using the pure parser", path, str(err).splitlines()[0])
        collector.rollback(mark)
        fallback = True
    finally:
        con.close()
    if fallback:
        with open_lines(path) as lines:
            collector.consume_lines(lines, str(path))
    elif handed_over:
        collector.consume(_lines_by_ordinal(path, ordinals, total))


def _stream(
    con: Any, sql: str, params: dict[str, str], path: Path, collector: _Collector, progress: bool
) -> int:
    """Feed the query's regular messages to ``collector``; returns how many were cut out."""
    reader = con.sql(sql, params=params).to_arrow_reader(BATCH_ROWS)
    bar = _progress_bar(path) if progress else None
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    carry: pa.Table | None = None
    cut = 0
    # DuckDB hands over small batches; gather about BATCH_ROWS rows before the Python side
    # (dedupe, checks) runs, so its per-batch costs are paid a few times, not hundreds.
    for batch in itertools.chain(reader, [None]):
        if batch is not None:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows < BATCH_ROWS:
                continue
        if not pending:
            break
        table = pa.Table.from_batches(pending)
        pending, pending_rows = [], 0
        if carry is not None:
            table = pa.concat_tables([carry, table])
        # A message's rows are contiguous but may straddle batches: hold back the last one.
        starts = np.flatnonzero(table.column("_first").to_numpy(zero_copy_only=False))
        held = int(starts[-1]) if len(starts) else 0
        carry = table.slice(held)
        cut += _keep_regular(table.slice(0, held), collector)
        if bar is not None:
            bar.n = max(bar.n, int(con.query_progress() or 0))
            bar.refresh()
    if carry is not None:
        cut += _keep_regular(carry, collector)
    if bar is not None:
        bar.close()
    return cut


def _keep_regular(table: pa.Table, collector: _Collector) -> int:
    """Add ``table``'s regular messages to ``collector``; returns how many were not."""
    if not table.num_rows:
        return 0
    first = table.column("_first").to_numpy(zero_copy_only=False)
    suspicious = _suspicious_rows(table)
    cut = 0
    if suspicious.any():
        message = np.cumsum(first) - 1
        bad = np.unique(message[suspicious])
        cut = len(bad)
        keep = ~np.isin(message, bad)
        table, first = table.filter(pa.array(keep)), first[keep]
    collector.messages += int(first.sum())
    collector.add_table(parse_timestamps(table.select([*COLUMNS, *HASH_COLUMNS])))
    return cut


def _irregular_ordinals(con: Any, params: dict[str, str]) -> tuple[list[int], int]:
    numbered = _sql("$path", guarded=True, ordinals=True)
    [(ordinals, total)] = con.execute(
        f"""SELECT list(DISTINCT _ordinal ORDER BY _ordinal)
                FILTER (WHERE NOT _regular OR recipient_domain IS NULL),
            max(_ordinal)
        FROM ({numbered})""",
        params,
    ).fetchall()
    return list(ordinals or []), int(total or 0)


def _suspicious_rows(table: pa.Table) -> np.ndarray:
    """Rows of messages the pure parser must judge: irregular ones, and recipients without
    an ``@`` (DuckDB reads a JSON ``false`` or ``5`` as text; the parser rejects those)."""
    regular = table.column("_regular").to_numpy(zero_copy_only=False)
    no_domain = table.column("recipient_domain").is_null().to_numpy(zero_copy_only=False)
    return np.asarray(~regular | no_domain)


def _progress_bar(path: Path) -> Any:
    if path.stat().st_size < 64 * MIN_BYTES or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=100, desc=f"loading {path.name}", unit="%", leave=False)


def _lines_by_ordinal(path: Path, ordinals: list[int], total: int) -> Iterator[RawRecord]:
    """The raw text and 1-based line number of the given non-blank-line ordinals."""
    wanted = iter(ordinals)
    target = next(wanted, None)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    ordinal = 0
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            ordinal += 1
            if ordinal == target:
                yield RawRecord(str(path), number, line)
                target = next(wanted, None)
                if target is None:
                    return
    if target is not None or ordinal != total:
        # DuckDB and Python disagreed on what a line is: say so rather than guess.
        raise InputError(f"{path}: could not line up records with lines; load it with engine='python'")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
