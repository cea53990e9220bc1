"""The suppression policy (pure) and the canonical suppression list it produces.

:func:`build_suppression_list` turns an events table into one row per address to stop
mailing, under an explicit :class:`SuppressionPolicy`. That frame is the one source for
exports; the one export today is the canonical CSV (:func:`write_suppression_csv`, columns
:data:`CSV_COLUMNS`), which a mailing tool can import. sesops has no mailing-tool specific
formats, and nothing writes the list to the SES account suppression list.

Default policy, rule by rule:

* hard bounce (``Permanent``, any subtype): suppress at once, reason ``BOUNCE``;
* complaint (any feedback type but ``not-spam``): suppress at once, reason ``COMPLAINT``;
  ``not-spam`` feedback never suppresses, nor does it lift an earlier complaint;
* soft bounce: suppress once the address soft-bounced on ``soft_bounce_days`` (3) distinct UTC
  days that all fall within ``soft_bounce_window_days`` (14) consecutive days, counting only
  bounces after the address's last sign of delivery (Delivery, auto-reply, Open, Click);
* undetermined bounce: counted as a soft bounce (``undetermined="soft"``), or suppressed at
  once (``"hard"``), or ignored (``"ignore"``);
* auto-replies, deliveries and delays never suppress.

An address that several rules catch gets one row, reason and category from the strongest
rule: complaint, then hard bounce, then undetermined, then soft bounces. ``first_seen``,
``last_seen`` and ``events`` cover every event that counts towards suppression under the
policy. Repeated rows (same address, event type, message and time) count once, so building
from overlapping exports gives the same list.
"""

from __future__ import annotations

import csv
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from sesops.errors import InputError

UndeterminedRule = Literal["soft", "hard", "ignore"]

#: Columns of the frame :func:`build_suppression_list` returns, in order.
FRAME_COLUMNS: tuple[str, ...] = (
    "email",
    "reason",
    "category",
    "first_seen",
    "last_seen",
    "events",
    "last_diagnostic",
    "rule",
)
#: Columns of the canonical CSV, in order.
CSV_COLUMNS: tuple[str, ...] = ("email", "reason", "category", "first_seen", "last_seen", "events", "rule")
CSV_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

#: Categories that prove the mailbox accepted mail (they reset the soft-bounce count).
DELIVERED_CATEGORIES = ("delivery", "auto_reply", "open", "click")

# rule kinds, strongest first
_RANK = {"complaint": 0, "hard_bounce": 1, "undetermined": 2, "soft_bounce": 3}
_REASON = {
    "complaint": "COMPLAINT",
    "hard_bounce": "BOUNCE",
    "undetermined": "BOUNCE",
    "soft_bounce": "BOUNCE",
}
_DEDUPE = ["email", "event_type", "message_id", "timestamp", "category"]


@dataclass(frozen=True, slots=True)
class SuppressionPolicy:
    """When an address goes on the suppression list (see the module docstring)."""

    hard_bounces: bool = True
    complaints: bool = True
    soft_bounce_days: int | None = 3  # None: soft bounces never suppress
    soft_bounce_window_days: int = 14
    undetermined: UndeterminedRule = "soft"
    reset_on_delivery: bool = True

    def __post_init__(self) -> None:
        if self.soft_bounce_days is not None and self.soft_bounce_days < 1:
            raise InputError(f"soft_bounce_days must be >= 1 or None, not {self.soft_bounce_days}")
        if self.soft_bounce_window_days < 1:
            raise InputError(f"soft_bounce_window_days must be >= 1, not {self.soft_bounce_window_days}")
        if self.undetermined not in ("soft", "hard", "ignore"):
            raise InputError(f"undetermined must be 'soft', 'hard' or 'ignore', not {self.undetermined!r}")

    def immediate_categories(self) -> list[str]:
        """Categories that suppress on a single event."""
        out = []
        if self.complaints:
            out.append("complaint")
        if self.hard_bounces:
            out.append("hard_bounce")
        if self.undetermined == "hard":
            out.append("undetermined")
        return out

    def soft_categories(self) -> list[str]:
        """Categories counted towards the soft-bounce rule."""
        if self.soft_bounce_days is None:
            return []
        return ["soft_bounce", "undetermined"] if self.undetermined == "soft" else ["soft_bounce"]

    def soft_rule(self) -> str:
        return f"soft bounces on {self.soft_bounce_days} distinct days within {self.soft_bounce_window_days} days"


def empty_suppression_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in FRAME_COLUMNS})
    for column in ("first_seen", "last_seen"):
        frame[column] = pd.Series([], dtype="datetime64[us, UTC]")
    frame["events"] = pd.Series([], dtype="int64")
    return frame


def build_suppression_list(
    df: pd.DataFrame, policy: SuppressionPolicy | None = None, now: datetime | pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per address to suppress (columns :data:`FRAME_COLUMNS`), sorted by email.

    ``now`` makes the list "as of" a moment: events after it are ignored (``None``: use all),
    so a past list can be rebuilt exactly. Pure: same input, same output.
    """
    policy = policy or SuppressionPolicy()
    rows = df.loc[df["email"].notna()]
    if now is not None:
        cutoff = pd.Timestamp(now)
        cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
        rows = rows.loc[~(rows["timestamp"] > cutoff)]  # rows without a time stay
    rows = rows.drop_duplicates(_DEDUPE)

    immediate = rows.loc[rows["category"].isin(policy.immediate_categories())]
    immediate = immediate.assign(kind=immediate["category"])
    soft = _soft_evidence(rows, policy)
    evidence = pd.concat([immediate, soft], ignore_index=True) if len(soft) else immediate
    if evidence.empty:
        return empty_suppression_frame()
    evidence = evidence.assign(rank=evidence["kind"].map(_RANK))

    # the strongest rule per address, its earliest event describing it
    chosen = evidence.sort_values(["email", "rank", "timestamp"], kind="stable").groupby("email").head(1)
    chosen = chosen.set_index("email")
    by_time = evidence.sort_values(["email", "timestamp"], kind="stable").groupby("email")
    out = pd.DataFrame(
        {
            "reason": chosen["kind"].map(_REASON),
            "category": chosen["kind"],
            "first_seen": by_time["timestamp"].min(),
            "last_seen": by_time["timestamp"].max(),
            "events": by_time.size(),
            "last_diagnostic": by_time["diagnostic_code"].last(),  # last non-missing
            "rule": [_rule_text(row, policy) for row in chosen.itertuples()],
        }
    )
    out = out.rename_axis("email").reset_index().sort_values("email", kind="stable")
    out["events"] = out["events"].astype("int64")
    return out.loc[:, list(FRAME_COLUMNS)].reset_index(drop=True)


def _soft_evidence(rows: pd.DataFrame, policy: SuppressionPolicy) -> pd.DataFrame:
    """The counted soft-bounce rows of addresses the soft rule fires for (``kind="soft_bounce"``)."""
    soft = rows.loc[rows["category"].isin(policy.soft_categories()) & rows["timestamp"].notna()]
    if soft.empty or policy.soft_bounce_days is None:
        return soft.iloc[0:0]
    if policy.reset_on_delivery:
        delivered = rows.loc[rows["category"].isin(DELIVERED_CATEGORIES)]
        if len(delivered):
            last_delivery = delivered.groupby("email")["timestamp"].max()
            since = soft["email"].map(last_delivery)
            soft = soft.loc[since.isna() | (soft["timestamp"] > since)]
    days = soft["timestamp"].dt.floor("D")
    fired = [
        email
        for email, group in days.groupby(soft["email"])
        if _days_within(group, policy.soft_bounce_days, policy.soft_bounce_window_days)
    ]
    out = soft.loc[soft["email"].isin(fired)]
    return out.assign(kind="soft_bounce")


def _days_within(days: pd.Series, count: int, window: int) -> bool:
    """True when ``count`` distinct days fit in ``window`` consecutive days (first to last < window)."""
    distinct = sorted(days.unique())
    span = pd.Timedelta(days=window)
    return any(distinct[i + count - 1] - distinct[i] < span for i in range(len(distinct) - count + 1))


def _rule_text(row: object, policy: SuppressionPolicy) -> str:
    kind = getattr(row, "kind")  # noqa: B009 - itertuples rows are untyped
    if kind == "complaint":
        feedback = getattr(row, "complaint_feedback_type")  # noqa: B009
        return f"complaint ({feedback})" if isinstance(feedback, str) else "complaint"
    if kind == "hard_bounce":
        parts = [getattr(row, "bounce_type"), getattr(row, "bounce_subtype")]  # noqa: B009
        detail = "/".join(p for p in parts if isinstance(p, str))
        return f"hard bounce ({detail})" if detail else "hard bounce"
    if kind == "undetermined":
        return "undetermined bounce (suppressed at once by policy)"
    return policy.soft_rule()


def _csv_time(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime(CSV_TIME_FORMAT)


def write_suppression_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the canonical suppression CSV and return its path.

    Columns :data:`CSV_COLUMNS`, a header line, UTF-8, ``\\n`` line ends, fields quoted when
    they hold a comma, quote or line break (RFC 4180 style), timestamps ISO-8601 UTC to the
    second (``2026-11-01T10:00:05Z``), rows sorted by email. Written to a temporary file and
    renamed, so readers never see half a list.
    """
    missing = [c for c in CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"not a suppression frame: missing column(s) {', '.join(missing)}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    ordered = frame.sort_values("email", kind="stable")
    # a fresh name opened exclusively: unlike mkstemp's 0600, the file gets the umask's mode
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(CSV_COLUMNS)
            for record in ordered.loc[:, list(CSV_COLUMNS)].itertuples(index=False):
                email, reason, category, first, last, events, rule = record
                writer.writerow(
                    [email, reason, category, _csv_time(first), _csv_time(last), int(events), rule]
                )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
