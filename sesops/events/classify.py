"""The pure classifier: one ``category`` per event row.

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

import re
from functools import lru_cache

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

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@lru_cache(maxsize=256)
def category_for_type(event_type: str) -> str:
    """snake_case name used as the category of event types without a special rule."""
    if event_type == "Delivery":
        return "delivery"
    if event_type == "DeliveryDelay":
        return "delay"
    name = _CAMEL_BOUNDARY.sub("_", event_type.strip())
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower() or "unknown"


def classify(
    event_type: str,
    bounce_type: str | None = None,
    bounce_subtype: str | None = None,
    status: str | None = None,
    complaint_feedback_type: str | None = None,
) -> str:
    """Return the category of one event row (see the module docstring)."""
    if event_type == "Bounce":
        if bounce_type == "Permanent":
            return "hard_bounce"
        if bounce_type == "Transient":
            if bounce_subtype == "General" and not status:
                return "auto_reply"
            return "soft_bounce"
        return "undetermined"
    if event_type == "Complaint":
        return "not_spam" if complaint_feedback_type == "not-spam" else "complaint"
    return category_for_type(event_type)
