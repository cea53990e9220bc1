"""The suppression policy: its settings and the verdict it gives each row of an events table.

:func:`judge_rows` reads each row's own SES fields (event type, bounce type and subtype, the
recipient's ``action`` and ``status``, the complaint feedback type), never the loader's
``category``, so the policy is one explicit table (the package docstring) whatever produced
the frame. Vectorised: one pass of column operations, no loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sesops.errors import InputError

UndeterminedRule = Literal["review", "soft", "hard", "ignore"]
UNDETERMINED_RULES: tuple[UndeterminedRule, ...] = ("review", "soft", "hard", "ignore")

# Verdicts, one per row (a row with none is irrelevant to the policy).
COMPLAINT = "complaint"  # a complaint, any feedback type but not-spam, or none at all
HARD_BOUNCE = "hard_bounce"  # Permanent, or Transient with a 5.1.x (bad address) status
SOFT_BOUNCE = "soft_bounce"  # other Transient bounces, and Permanent ones whose status is 4.x.x
UNDETERMINED = "undetermined"  # bounceType Undetermined (or missing, or one SES never documented)
AUTO_REPLY = "auto_reply"  # Transient/General without a status: an out-of-office, so delivered
CONTENT_PROBLEM = (
    "content_problem"  # ContentRejected, AttachmentRejected, MessageTooLarge: the mail, not the address
)
NOT_FAILED = "recipient_not_failed"  # in a Bounce, but this recipient's own action is delayed/delivered/...
DELIVERED = "delivered"  # Delivery, Open or Click: the mailbox takes mail (resets the soft count)
NOT_SPAM = "not_spam"  # a complaint whose feedback type is not-spam: never counts

#: Bounce subtypes that say the message was refused, not the address.
CONTENT_SUBTYPES = ("ContentRejected", "AttachmentRejected", "MessageTooLarge")
#: RFC 3464 actions that mean this recipient did not fail, whatever the bounce type says.
NOT_FAILED_ACTIONS = ("delayed", "delivered", "relayed", "expanded")
#: Event types that prove the mailbox accepted mail.
DELIVERED_EVENT_TYPES = ("Delivery", "Open", "Click")
#: Event types judged row by row; of the delivered ones only the address and time are read.
FEEDBACK_EVENT_TYPES = ("Bounce", "Complaint")

#: Verdicts that prove the mailbox took mail: a soft bounce before the last of them does not count.
RESET_VERDICTS = (DELIVERED, AUTO_REPLY)
#: Review verdicts: never suppressed, listed for a person to look at.
REVIEW_VERDICTS = (AUTO_REPLY, UNDETERMINED, CONTENT_PROBLEM, NOT_FAILED)


@dataclass(frozen=True, slots=True)
class SuppressionPolicy:
    """When an address goes on the suppression list (the table in :mod:`sesops.analysis.suppress`).

    ``soft_bounce_days`` soft bounces on distinct UTC days within ``soft_bounce_window_days``
    consecutive days suppress (``None``: soft bounces never do); ``undetermined`` says what an
    Undetermined bounce does: ``review`` (listed, never suppressed), ``soft`` (counts as a soft
    bounce), ``hard`` (suppresses at once) or ``ignore``.
    """

    hard_bounces: bool = True
    complaints: bool = True
    soft_bounce_days: int | None = 3
    soft_bounce_window_days: int = 14
    undetermined: UndeterminedRule = "review"
    reset_on_delivery: bool = True

    def __post_init__(self) -> None:
        if self.soft_bounce_days is not None and self.soft_bounce_days < 1:
            raise InputError(
                f"soft_bounce_days must be >= 1 (or None: soft bounces never suppress), not {self.soft_bounce_days}"
            )
        if self.soft_bounce_window_days < 1:
            raise InputError(f"soft_bounce_window_days must be >= 1, not {self.soft_bounce_window_days}")
        if self.undetermined not in UNDETERMINED_RULES:
            raise InputError(
                f"undetermined must be one of {', '.join(map(repr, UNDETERMINED_RULES))}, not {self.undetermined!r}"
            )

    def immediate_verdicts(self) -> list[str]:
        """Verdicts that suppress on a single event."""
        out = []
        if self.complaints:
            out.append(COMPLAINT)
        if self.hard_bounces:
            out.append(HARD_BOUNCE)
        if self.undetermined == "hard":
            out.append(UNDETERMINED)
        return out

    def soft_verdicts(self) -> list[str]:
        """Verdicts counted towards the soft-bounce rule."""
        if self.soft_bounce_days is None:
            return []
        return [SOFT_BOUNCE, UNDETERMINED] if self.undetermined == "soft" else [SOFT_BOUNCE]

    def review_verdicts(self) -> list[str]:
        """Verdicts listed for review (never suppressed)."""
        return [v for v in REVIEW_VERDICTS if v != UNDETERMINED or self.undetermined == "review"]

    def soft_rule(self) -> str:
        return f"soft bounces on {self.soft_bounce_days} distinct days within {self.soft_bounce_window_days} days"


def normalize_emails(emails: pd.Series) -> pd.Series:
    """Addresses as the policy compares them: stripped and lower-cased (missing stays missing)."""
    return emails.str.strip().str.lower()


def judge_rows(rows: pd.DataFrame) -> pd.Series:
    """The policy's verdict of each row (a string, or missing for rows the policy ignores).

    Bounces are judged per recipient, first rule that holds: this recipient's ``action`` is
    delayed/delivered/relayed/expanded -> ``recipient_not_failed``; Permanent without a 4.x.x
    status, or Transient with a 5.1.x status -> ``hard_bounce``; Undetermined (or no or an
    unknown bounce type) -> ``undetermined``; a content subtype -> ``content_problem``;
    Transient/General without a status -> ``auto_reply``; anything else -> ``soft_bounce``.
    """
    event_type = rows["event_type"]
    bounce_type = rows["bounce_type"]
    subtype = rows["bounce_subtype"]
    status = rows["status"].fillna("").str.strip()
    action = rows["action"].fillna("").str.strip().str.lower()
    feedback = rows["complaint_feedback_type"].fillna("").str.strip().str.lower()

    is_bounce = (event_type == "Bounce").to_numpy()
    temporary_status = status.str.startswith("4.").to_numpy()
    conditions = [
        ((event_type == "Complaint") & (feedback == "not-spam")).to_numpy(),
        (event_type == "Complaint").to_numpy(),
        event_type.isin(DELIVERED_EVENT_TYPES).to_numpy(),
        is_bounce & action.isin(NOT_FAILED_ACTIONS).to_numpy(),
        is_bounce & (bounce_type == "Permanent").to_numpy() & ~temporary_status,
        is_bounce & (bounce_type == "Transient").to_numpy() & status.str.startswith("5.1.").to_numpy(),
        is_bounce & ~bounce_type.isin(("Permanent", "Transient")).to_numpy(),
        is_bounce & subtype.isin(CONTENT_SUBTYPES).to_numpy(),
        is_bounce
        & (bounce_type == "Transient").to_numpy()
        & (subtype == "General").to_numpy()
        & (status == "").to_numpy(),
        is_bounce,
    ]
    choices = [NOT_SPAM, COMPLAINT, DELIVERED, NOT_FAILED, HARD_BOUNCE, HARD_BOUNCE, UNDETERMINED,
               CONTENT_PROBLEM, AUTO_REPLY, SOFT_BOUNCE]  # fmt: skip
    verdict = np.select(conditions, choices, default="")
    out = pd.Series(verdict, index=rows.index, dtype="str")
    return out.where(out != "")
