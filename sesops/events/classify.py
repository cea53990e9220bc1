"""The pure classifier: one ``category`` per event row, by the rules in :mod:`sesops.events.shapes`.

Categories are what an operator acts on, not SES's own vocabulary:

============== ===========================================================
hard_bounce    Bounce, bounceType Permanent (never mail again)
soft_bounce    Bounce, bounceType Transient with an SMTP status
auto_reply     Bounce, Transient/General without a status (out-of-office)
undetermined   Bounce, bounceType Undetermined
complaint      Complaint (any feedback type except not-spam)
not_spam       Complaint whose feedback type is ``not-spam``
delivery       Delivery
delay          DeliveryDelay
<name>         every other event type, snake_cased (send, reject, open,
               click, rendering_failure, subscription, ...)
============== ===========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sesops.events.shapes import Rule, shape_for

#: The categories above, in the order reports list them.
CATEGORIES: tuple[str, ...] = (
    "hard_bounce",
    "soft_bounce",
    "auto_reply",
    "undetermined",
    "complaint",
    "not_spam",
    "delivery",
    "delay",
)


def category_by_rule(rule: Rule, row: Mapping[str, Any]) -> str:
    """The category of the first case of ``rule`` whose conditions all hold for ``row``
    (contract column -> value; a missing column counts as null)."""
    for case in rule[:-1]:
        if all(
            not row.get(column) if wanted is None else row.get(column) == wanted
            for column, wanted in case.when
        ):
            return case.category
    return rule[-1].category  # unconditional (EventShape checks it)


def classify(
    event_type: str,
    bounce_type: str | None = None,
    bounce_subtype: str | None = None,
    status: str | None = None,
    complaint_feedback_type: str | None = None,
) -> str:
    """Return the category of one event row (see the module docstring)."""
    row = {
        "event_type": event_type,
        "bounce_type": bounce_type,
        "bounce_subtype": bounce_subtype,
        "status": status,
        "complaint_feedback_type": complaint_feedback_type,
    }
    return category_by_rule(shape_for(event_type).rule, row)
