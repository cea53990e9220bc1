"""The suppression half of the loop for notebook 05: the policy as a table, every export format
written at once, and the SES account-level suppression list as tables.

::

    Markdown(policy_markdown(policy))              # what is suppressed, what is reviewed, and why
    results = export_every_format(suppressions, out)
    print(file_heads(results))
    held = pull(aws)                               # the SES list: email, reason, last_update
    plan = plan_sync(desired_from_frame(suppressions), held_pairs(held))
    sync_table(plan)
    print(push(aws, plan, dry_run=True))           # the plan only; dry_run=False applies it
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pandas as pd

from sesops.analysis.exports import FORMATS, ExportResult, write_export
from sesops.analysis.suppress import SOFT_BOUNCE_THRESHOLD, SuppressionPolicy
from sesops.analysis.suppress.files import stale_parts
from sesops.analysis.suppress.lists import REASON
from sesops.analysis.suppress.policy import (
    AUTO_REPLY,
    COMPLAINT,
    CONTENT_PROBLEM,
    DELIVERED,
    HARD_BOUNCE,
    NOT_FAILED,
    NOT_SPAM,
    RESET_VERDICTS,
    SOFT_BOUNCE,
    UNDETERMINED,
)
from sesops.analysis.suppression_sync import HELD_COLUMNS, SyncPlan
from sesops.aws.pacing import DEFAULT_RATE, Pacer
from sesops.aws.suppression_list import delete_suppressed, list_suppressed, put_suppressed
from sesops.errors import InputError
from sesops.notebook.target import AwsTarget

#: Each verdict of the policy: the feedback that gets it, and why it is treated so.
VERDICT_ROWS: tuple[tuple[str, str, str], ...] = (
    (COMPLAINT, "Complaint, any feedback type but `not-spam`, or no feedback report",
     "the recipient called it unwanted; each one counts towards the complaint rate SES watches"),
    (NOT_SPAM, "Complaint with feedback type `not-spam`",
     "the opposite of a complaint (it does not lift an earlier one either)"),
    (HARD_BOUNCE, "Permanent bounce whose status is not 4.x.x; Transient bounce with a 5.1.x status",
     "the address does not exist or refuses mail for good"),
    (SOFT_BOUNCE, "any other Transient bounce (a full mailbox...); Permanent with a 4.x.x status",
     "may clear up: only a run of bad days says the address is gone"),
    (UNDETERMINED, "Undetermined bounce (or no bounce type, or one SES never documented)",
     "SES could not tell what happened"),
    (CONTENT_PROBLEM, "ContentRejected, AttachmentRejected, MessageTooLarge",
     "the message was refused, not the address: fix the mail"),
    (AUTO_REPLY, "Transient/General bounce without a status",
     "an out-of-office reply: the mailbox works"),
    (NOT_FAILED, "Bounce whose recipient `action` is delayed, delivered, relayed or expanded",
     "this recipient did not fail (another one of the same bounce did)"),
    (DELIVERED, "Delivery, Open, Click", "the mailbox takes mail"),
)  # fmt: skip
PUT_AT_MOST = 1_000  # one call each, paced: past this, an S3 import job (sesops suppression-list push)
SANDBOX_RATE = 100.0  # calls a second on the sandbox, which has no SES rate limit to respect


def policy_markdown(policy: SuppressionPolicy) -> str:
    """``policy``'s settings and its table: per feedback, the verdict under these settings and why."""
    settings = ", ".join(f"`{f.name}={getattr(policy, f.name)!r}`" for f in fields(policy))
    rows = [
        f"| {feedback} | {verdict_text(verdict, policy)} | {why} |" for verdict, feedback, why in VERDICT_ROWS
    ]
    return "\n".join(
        [
            f"**Policy:** {settings}",
            "",
            "| feedback (per recipient) | verdict | why |",
            "|---|---|---|",
            *rows,
        ]
    )


def verdict_text(verdict: str, policy: SuppressionPolicy) -> str:
    """What ``policy`` does with a row of ``verdict``, in a few words."""
    if verdict in policy.immediate_verdicts():
        text = f"**suppress** at once: `{verdict}`, reason `{REASON[verdict]}`"
    elif verdict in policy.soft_verdicts():
        text = f"a soft bounce: **suppress** (`{SOFT_BOUNCE_THRESHOLD}`) after {policy.soft_rule()}"
    elif verdict in policy.review_verdicts():
        text = "**review**: listed, never suppressed"
    else:
        text = "nothing" + _why_nothing(verdict, policy)
    if policy.reset_on_delivery and verdict in RESET_VERDICTS:
        text += "; resets the soft-bounce count"
    return text


def _why_nothing(verdict: str, policy: SuppressionPolicy) -> str:
    """The settings that make ``verdict`` do nothing, e.g. `` (`hard_bounces=False`)``."""
    undetermined = [f"undetermined={policy.undetermined!r}"]
    if policy.undetermined == "soft":  # counted as soft bounces, which never suppress
        undetermined.append("soft_bounce_days=None")
    settings = {
        COMPLAINT: ["complaints=False"],
        HARD_BOUNCE: ["hard_bounces=False"],
        SOFT_BOUNCE: ["soft_bounce_days=None"],
        UNDETERMINED: undetermined,
    }.get(verdict, [])
    return f" ({', '.join(f'`{setting}`' for setting in settings)})" if settings else ""


# -- every export format ---------------------------------------------------------------------


def export_every_format(frame: pd.DataFrame, folder: str | os.PathLike[str]) -> list[ExportResult]:
    """Write ``frame`` in each format of :data:`~sesops.analysis.exports.FORMATS` into ``folder``,
    as ``suppressions-<format><suffix>`` (and its numbered parts); parts an earlier, longer list
    left there are deleted, so the folder holds exactly this list."""
    results = []
    for name, export_format in FORMATS.items():
        path = Path(folder) / f"suppressions-{name}{export_format.suffix}"
        result = write_export(frame, path, export_format)
        for stale in stale_parts(path, len(result.paths)):
            stale.unlink()
        results.append(result)
    return results


def exports_table(results: list[ExportResult]) -> pd.DataFrame:
    """One row per format: its file(s), how many addresses it holds and left out, how to import it."""
    return pd.DataFrame(
        [
            (r.format.name, ", ".join(p.name for p in r.paths), r.rows, r.left_out, r.format.summary)
            for r in results
        ],
        columns=["format", "files", "addresses", "left_out", "import"],
    )


def file_heads(results: list[ExportResult], lines: int = 3, width: int = 120) -> str:
    """The first ``lines`` lines of each first file, each cut at ``width`` characters."""
    blocks = []
    for result in results:
        path = result.paths[0]
        head = [_cut(line, width) for line in _first_lines(path, lines)]
        blocks.append("\n".join([f"── {path.name} ({result.format.name})", *head]))
    return "\n\n".join(blocks)


def _first_lines(path: Path, count: int) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        for _, line in zip(range(count), fh, strict=False):
            yield line.rstrip("\n")


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


# -- the SES account-level suppression list ----------------------------------------------------


def pull(aws: AwsTarget) -> pd.DataFrame:
    """Every address on the target's SES suppression list (every page): email, reason, last_update."""
    held = list_suppressed(session=aws.session, region=aws.region)
    table = pd.DataFrame([(a.email, a.reason, a.last_update) for a in held], columns=list(HELD_COLUMNS))
    table["last_update"] = pd.to_datetime(table["last_update"], utc=True)
    return table


def held_pairs(held: pd.DataFrame) -> list[tuple[str, str]]:
    """``(email, reason)`` of each row of :func:`pull`'s table, as the plan compares them."""
    return list(zip(held["email"].astype(str), held["reason"].astype(str), strict=True))


def sync_table(plan: SyncPlan) -> pd.DataFrame:
    """The plan, one row per address that differs: + add, ~ raise to COMPLAINT, - remove, or kept."""
    kinds = (
        ("+", plan.add, "add"),
        ("~", plan.raise_reason, "raise BOUNCE -> COMPLAINT"),
        ("-", plan.remove, "remove"),
        (" ", plan.only_in_ses, "only in SES: kept"),
    )
    return pd.DataFrame(
        [(mark, e.email, e.reason, e.held or "", change) for mark, entries, change in kinds for e in entries],
        columns=["mark", "email", "reason", "ses_holds", "change"],
    )


def push(aws: AwsTarget, plan: SyncPlan, *, dry_run: bool = True, pacer: Pacer | None = None) -> str:
    """Apply ``plan`` to the target's SES list (unless ``dry_run``); one sentence saying what was done.

    One paced call per address (PutSuppressedDestination, DeleteSuppressedDestination); more
    than :data:`PUT_AT_MOST` changes are refused: an S3 import job suits them.
    """
    if plan.in_line:
        return f"SES already holds this list in {aws.region}: nothing to push ({plan.summary()})."
    if dry_run:
        return f"dry run: {plan.summary()}; nothing changed (set dry_run = False to push)."
    changes = len(plan.to_put) + len(plan.to_delete)
    if changes > PUT_AT_MOST:
        raise InputError(
            f"{changes:,} changes are more than this notebook makes one call at a time ({PUT_AT_MOST:,}): "
            "push them through an S3 import job with `sesops suppression-list push SOURCE --region "
            f"{aws.region} --bucket NAME`"
        )
    pacer = pacer or Pacer(SANDBOX_RATE if aws.is_sandbox else DEFAULT_RATE)
    added = put_suppressed(plan.to_put, pacer=pacer, session=aws.session, region=aws.region)
    removed, _ = delete_suppressed(plan.to_delete, pacer=pacer, session=aws.session, region=aws.region)
    return (
        f"pushed to SES in {aws.region}: {added:,} put (PutSuppressedDestination), {len(removed):,} removed."
    )
