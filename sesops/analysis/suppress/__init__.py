"""The suppression policy (pure), the suppression and review lists it gives, and the canonical CSV.

:func:`build_suppression_list` turns an events table into one row per address to stop mailing
(columns :data:`FRAME_COLUMNS`, starting ``email,reason``) under an explicit
:class:`SuppressionPolicy`; :func:`build_review_list` lists what the policy never suppresses
but a person should look at. The suppression frame is the one source of every export: the
canonical CSV here (:func:`write_suppression_csv`) and the mailing tools' formats in
:mod:`sesops.analysis.exports`.

The default policy, judged per recipient from the row's own SES fields (README "Suppression
policy" has the same table):

======================================================= ======================================
row                                                      verdict
======================================================= ======================================
Bounce whose recipient ``action`` is delayed, delivered, review (``recipient_not_failed``)
relayed or expanded
Permanent bounce, status not 4.x.x                       suppress at once: ``hard_bounce``
Transient bounce with a 5.1.x status (bad address)       suppress at once: ``hard_bounce``
Undetermined bounce (or no or an unknown bounce type)    review (``undetermined``)
ContentRejected, AttachmentRejected, MessageTooLarge     review (``content_problem``)
Transient/General without a status (auto-reply)          review (``auto_reply``); resets soft count
any other Transient bounce; Permanent with 4.x.x status  soft bounce: counts towards the threshold
Complaint, any feedback type but ``not-spam``, or none   suppress at once: ``complaint``
Complaint with feedback type ``not-spam``                nothing (nor does it lift a complaint)
Delivery, Open, Click                                    resets the soft-bounce count
======================================================= ======================================

Soft bounces suppress (``soft_bounce_threshold``) once an address has soft-bounced on
``soft_bounce_days`` (3) distinct UTC days within ``soft_bounce_window_days`` (14) consecutive
days, counting only bounces after its last Delivery, Open, Click or auto-reply. Days, not
bounces: a full mailbox that refuses five campaigns on one afternoon is one bad day.

Addresses are compared stripped and lower-cased. One SES feedback counts once however often
it was delivered (same address, event type, message, feedback id and time). An address that
several rules catch gets one row: reason and category from the strongest rule (complaint,
hard bounce, undetermined, soft bounces), ``first_seen``/``last_seen``/``events`` over every
event that counts towards its suppression, and the details of its last bounce, last
complaint and last message.
"""

from __future__ import annotations

from sesops.analysis.suppress.canonical import (
    CSV_COLUMNS,
    CSV_TIME_FORMAT,
    REVIEW_CSV_COLUMNS,
    write_review_csv,
    write_suppression_csv,
)
from sesops.analysis.suppress.cells import escape_cell, unescape_cell
from sesops.analysis.suppress.lists import (
    FRAME_COLUMNS,
    REVIEW_COLUMNS,
    SOFT_BOUNCE_THRESHOLD,
    Verdicts,
    build_review_list,
    build_suppression_list,
    empty_suppression_frame,
    judge,
    review_list,
    suppression_list,
)
from sesops.analysis.suppress.policy import (
    DELIVERED_EVENT_TYPES,
    UNDETERMINED_RULES,
    SuppressionPolicy,
    UndeterminedRule,
)

__all__ = [
    "CSV_COLUMNS",
    "CSV_TIME_FORMAT",
    "DELIVERED_EVENT_TYPES",
    "FRAME_COLUMNS",
    "REVIEW_COLUMNS",
    "REVIEW_CSV_COLUMNS",
    "SOFT_BOUNCE_THRESHOLD",
    "UNDETERMINED_RULES",
    "SuppressionPolicy",
    "UndeterminedRule",
    "Verdicts",
    "build_review_list",
    "build_suppression_list",
    "empty_suppression_frame",
    "escape_cell",
    "judge",
    "review_list",
    "suppression_list",
    "unescape_cell",
    "write_review_csv",
    "write_suppression_csv",
]
