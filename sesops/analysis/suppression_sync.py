"""What the policy says vs what SES holds: the plan ``sesops suppression-list diff|push`` shows.

The *desired* list maps each address (stripped, lower-cased) to an SES reason, ``BOUNCE`` or
``COMPLAINT``. It comes from the policy's frame (:func:`desired_from_frame` on
:func:`sesops.analysis.suppress.build_suppression_list`'s output) or from a suppression CSV
(:func:`read_suppression_file`): the canonical list (header starting ``email,reason``; reasons
``hard_bounce``, ``soft_bounce_threshold``, ``complaint``, or ``BOUNCE``/``COMPLAINT`` as
``sesops suppression-list pull`` writes them) or SES's import format (no header,
``address,BOUNCE|COMPLAINT``). Cells escaped against spreadsheet formula injection are read
back with :func:`sesops.analysis.suppress.unescape_cell`.

:func:`plan_sync` compares it with what SES holds: addresses to add, reasons to raise (only
ever BOUNCE -> COMPLAINT: a complaint is the stronger reason and SES's own is kept), addresses
SES holds that the list does not (removed only when pruning), and how many agree. Pure.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple, TextIO

from sesops.analysis.suppress import escape_cell, unescape_cell
from sesops.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

BOUNCE, COMPLAINT = "BOUNCE", "COMPLAINT"
#: Reasons a list may give (compared lower-cased) -> the SES reason.
SES_REASON: dict[str, str] = {
    "hard_bounce": BOUNCE,
    "soft_bounce_threshold": BOUNCE,
    "bounce": BOUNCE,
    "complaint": COMPLAINT,
}
_STRENGTH = {BOUNCE: 0, COMPLAINT: 1}
_SPACE = re.compile(r"\s")
#: Columns of what ``sesops suppression-list pull`` writes (read back as a desired list).
HELD_COLUMNS = ("email", "reason", "last_update")


class Entry(NamedTuple):  # a tuple: a plan of a million addresses makes a million of them
    """One address in a plan: the reason to put (or that SES holds), and SES's reason before."""

    email: str
    reason: str
    held: str | None = None


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What to do so that SES holds the desired list."""

    add: tuple[Entry, ...]  # not on SES's list
    raise_reason: tuple[Entry, ...]  # on it as BOUNCE, the list says COMPLAINT
    remove: tuple[Entry, ...]  # on it, not in the list, and pruning
    only_in_ses: tuple[Entry, ...]  # on it, not in the list, kept (not pruning)
    agreeing: int

    @property
    def to_put(self) -> list[tuple[str, str]]:
        """``(email, reason)`` for PutSuppressedDestination: the additions and raised reasons."""
        return [(e.email, e.reason) for e in (*self.add, *self.raise_reason)]

    @property
    def to_delete(self) -> list[str]:
        return [e.email for e in self.remove]

    @property
    def in_line(self) -> bool:
        """True when applying the plan would change nothing."""
        return not (self.add or self.raise_reason or self.remove)

    def summary(self) -> str:
        parts = [f"{len(self.add):,} to add", f"{len(self.raise_reason):,} to raise to COMPLAINT"]
        if self.remove:
            parts.append(f"{len(self.remove):,} to remove")
        if self.only_in_ses:
            parts.append(f"{len(self.only_in_ses):,} only in SES (kept; --prune removes them)")
        parts.append(f"{self.agreeing:,} agreeing")
        return ", ".join(parts)


def normalize_email(address: str) -> str:
    """How addresses are compared: stripped and lower-cased."""
    return address.strip().lower()


def ses_reason(reason: str, where: str) -> str:
    """The SES reason for a list's ``reason``; :class:`InputError` naming ``where`` if unknown."""
    found = SES_REASON.get(reason.strip().lower())
    if found is None:
        known = ", ".join([*SES_REASON, BOUNCE, COMPLAINT])
        raise InputError(f"{where}: reason {reason!r} is not one of {known}")
    return found


def merge(*lists: Mapping[str, str]) -> dict[str, str]:
    """One desired list from several: an address keeps its strongest reason (COMPLAINT)."""
    merged: dict[str, str] = {}
    for desired in lists:
        for email, reason in desired.items():
            _keep_strongest(merged, email, reason)
    return merged


def desired_from_pairs(pairs: Iterable[tuple[str, str]], source: str) -> dict[str, str]:
    """The desired list from ``(email, reason)`` pairs; pair ``n`` is named ``source:n`` in errors."""
    return _desired((source, n, email, reason) for n, (email, reason) in enumerate(pairs, 1))


def desired_from_frame(frame: pd.DataFrame, source: str = "the policy") -> dict[str, str]:
    """The desired list from a suppression frame (columns ``email`` and ``reason``)."""
    missing = [c for c in ("email", "reason") if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: not a suppression list: missing column(s) {', '.join(missing)}")
    return desired_from_pairs(
        zip(frame["email"].astype(str), frame["reason"].astype(str), strict=True), source
    )


def read_suppression_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The desired list in a suppression CSV (canonical, or SES's headerless import format)."""
    name = str(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        rows = [(reader.line_num, row) for row in reader if row]
    if not rows:
        raise InputError(f"{name}: empty; a suppression list starts with the header email,reason")
    first = rows[0][1]
    if [cell.strip().lower() for cell in first[:2]] == ["email", "reason"]:
        rows = rows[1:]
    elif not (len(first) == 2 and first[1].strip().upper() in (BOUNCE, COMPLAINT)):
        raise InputError(
            f"{name}: not a suppression list: the first line must be the header email,reason,... "
            "(sesops suppress --format sesops) or address,BOUNCE|COMPLAINT (--format ses-import)"
        )
    for line, row in rows:
        if len(row) < 2:
            raise InputError(f"{name}:{line}: expected email,reason, found {len(row)} field(s)")
    return _desired((name, line, row[0], row[1]) for line, row in rows)


def write_held_csv(held: Iterable[tuple[str, str, datetime | None]], out: TextIO) -> int:
    """Write SES's ``(email, reason, last update)`` entries as CSV; returns how many.

    Header :data:`HELD_COLUMNS`, RFC 4180 quoting, cells escaped for spreadsheets, times
    ISO 8601 UTC to the second; :func:`read_suppression_file` reads it back.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HELD_COLUMNS)
    count = 0
    for email, reason, when in held:
        stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else ""
        writer.writerow([escape_cell(email), reason, stamp])
        count += 1
    return count


def plan_sync(
    desired: Mapping[str, str], held: Iterable[tuple[str, str]], *, prune: bool = False
) -> SyncPlan:
    """Compare the desired list with SES's ``(email, reason)`` entries (each address once).

    Set operations do the comparing, so a plan of a million addresses stays a matter of seconds.
    """
    on_ses: dict[str, tuple[str, str]] = {normalize_email(email): (email, reason) for email, reason in held}
    wanted, holding = desired.keys(), on_ses.keys()
    both = wanted & holding
    raised = sorted(e for e in both if desired[e] == COMPLAINT and on_ses[e][1] == BOUNCE)
    extra = tuple(Entry(*on_ses[key], held=on_ses[key][1]) for key in sorted(holding - wanted))
    return SyncPlan(
        add=tuple(Entry(email, desired[email]) for email in sorted(wanted - holding)),
        raise_reason=tuple(Entry(email, COMPLAINT, held=BOUNCE) for email in raised),
        remove=extra if prune else (),
        only_in_ses=() if prune else extra,
        agreeing=len(both) - len(raised),
    )


def _desired(rows: Iterable[tuple[str, int, str, str]]) -> dict[str, str]:
    """The desired list from ``(source, number, email, reason)`` rows; errors name ``source:number``."""
    desired: dict[str, str] = {}
    for source, number, email, reason in rows:
        address = normalize_email(unescape_cell(email))
        local, _, domain = address.rpartition("@")
        if not local or not domain or _SPACE.search(address):
            raise InputError(f"{source}:{number}: {email!r} is not an email address")
        text = unescape_cell(reason)
        wanted = SES_REASON.get(text.strip().lower()) or ses_reason(text, f"{source}:{number}")
        _keep_strongest(desired, address, wanted)
    return desired


def _keep_strongest(desired: dict[str, str], email: str, reason: str) -> None:
    if email not in desired or _STRENGTH[reason] > _STRENGTH[desired[email]]:
        desired[email] = reason
