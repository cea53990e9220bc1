"""ONE table of SES event shapes: where each event type keeps its details and recipients,
which detail fields feed which contract columns, and the rule that names its category.

Three readers follow :data:`SHAPES`: the Python parser (:mod:`sesops.events.parse`), the
msgspec decoder (:mod:`sesops.load.typed`) and the DuckDB SQL generator
(:mod:`sesops.load.fastload`). Adding an SES event type is one more :class:`EventShape`
here. An event type missing from the table is still read, by the Python parser alone,
through a generic shape (:func:`shape_for`): details under its camelCased name,
recipients in ``mail.destination``, its snake_cased name as the category.

The EventBridge names of the same events (:data:`EVENTBRIDGE_DETAIL_TYPES`) and the
event types that are counted rather than made rows (:data:`COUNTED_TYPES`) live here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

#: Every detail object may carry these (contract column, detail field) pairs; ``timestamp``
#: falls back to ``mail.timestamp`` when the detail has none.
COMMON_DETAIL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("timestamp", "timestamp"),
    ("feedback_id", "feedbackId"),
)
#: The contract columns an event type's own detail fields may feed (``EventShape.columns``).
DETAIL_VALUE_COLUMNS: tuple[str, ...] = (
    "bounce_type",
    "bounce_subtype",
    "complaint_feedback_type",
    "complaint_subtype",
    "delay_type",
)
#: (contract column, field) of a detailed recipient object, in the order rows are built from.
RECIPIENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("email", "emailAddress"),
    ("action", "action"),
    ("status", "status"),
    ("diagnostic_code", "diagnosticCode"),
)
RECIPIENT_FIELDS: tuple[str, ...] = tuple(field for _, field in RECIPIENT_COLUMNS)


@dataclass(frozen=True, slots=True)
class Case:
    """``category`` when every ``(column, value)`` in ``when`` holds for the row; a value of
    ``None`` means the column is null or empty text."""

    category: str
    when: tuple[tuple[str, str | None], ...] = ()


#: Cases tried in order, the first that holds wins; the last one has no conditions.
Rule = tuple[Case, ...]


def always(category: str) -> Rule:
    return (Case(category),)


BOUNCE_RULE: Rule = (
    Case("hard_bounce", (("bounce_type", "Permanent"),)),
    # An out-of-office reply: Transient/General with no SMTP status for the recipient.
    Case("auto_reply", (("bounce_type", "Transient"), ("bounce_subtype", "General"), ("status", None))),
    Case("soft_bounce", (("bounce_type", "Transient"),)),
    Case("undetermined"),
)
COMPLAINT_RULE: Rule = (
    Case("not_spam", (("complaint_feedback_type", "not-spam"),)),
    Case("complaint"),
)

#: Columns a rule may test: a row's own values, before its category is known.
RULE_COLUMNS = frozenset({"event_type", *DETAIL_VALUE_COLUMNS, *(column for column, _ in RECIPIENT_COLUMNS)})


@dataclass(frozen=True, slots=True)
class EventShape:
    """Where one SES event type keeps its parts, and how its rows are categorised."""

    event_type: str  # as SES spells it in eventType / notificationType
    detail_key: str  # the key of its detail object beside ``mail``
    recipients_key: str | None  # its list of recipients in the detail; None: mail.destination
    detailed_recipients: bool  # the list holds objects (RECIPIENT_COLUMNS), not bare addresses
    columns: tuple[tuple[str, str], ...]  # (contract column, detail field), beyond the common ones
    rule: Rule
    #: The category of every row of this type, or None when the rule reads the row.
    fixed_category: str | None = field(init=False)

    def __post_init__(self) -> None:
        if not self.rule or self.rule[-1].when:
            raise ValueError(f"{self.event_type}: a category rule must end with an unconditional case")
        tested = {column for case in self.rule for column, _ in case.when}
        if not tested <= RULE_COLUMNS:
            raise ValueError(f"{self.event_type}: a rule may test only {sorted(RULE_COLUMNS)}")
        if not {column for column, _ in self.columns} <= set(DETAIL_VALUE_COLUMNS):
            raise ValueError(f"{self.event_type}: detail columns must be among {DETAIL_VALUE_COLUMNS}")
        if self.detailed_recipients and self.recipients_key is None:
            raise ValueError(f"{self.event_type}: detailed recipients need a recipients_key")
        # Kept rather than computed: read once for every message.
        object.__setattr__(self, "fixed_category", self.rule[0].category if len(self.rule) == 1 else None)

    @property
    def detail_fields(self) -> tuple[str, ...]:
        """Every scalar field read from the detail object (common ones first)."""
        return tuple(dict.fromkeys(field for _, field in COMMON_DETAIL_COLUMNS + self.columns))


def _shape(
    event_type: str,
    detail_key: str,
    recipients_key: str | None = None,
    *,
    detailed: bool = False,
    columns: tuple[tuple[str, str], ...] = (),
    rule: Rule,
) -> EventShape:
    return EventShape(event_type, detail_key, recipients_key, detailed, columns, rule)


SHAPES: tuple[EventShape, ...] = (
    _shape(
        "Bounce",
        "bounce",
        "bouncedRecipients",
        detailed=True,
        columns=(("bounce_type", "bounceType"), ("bounce_subtype", "bounceSubType")),
        rule=BOUNCE_RULE,
    ),
    _shape(
        "Complaint",
        "complaint",
        "complainedRecipients",
        detailed=True,
        columns=(
            ("complaint_feedback_type", "complaintFeedbackType"),
            ("complaint_subtype", "complaintSubType"),
        ),
        rule=COMPLAINT_RULE,
    ),
    _shape("Delivery", "delivery", "recipients", rule=always("delivery")),
    _shape(
        "DeliveryDelay",
        "deliveryDelay",
        "delayedRecipients",
        detailed=True,
        columns=(("delay_type", "delayType"),),
        rule=always("delay"),
    ),
    _shape("Send", "send", rule=always("send")),
    _shape("Reject", "reject", rule=always("reject")),
    _shape("Open", "open", rule=always("open")),
    _shape("Click", "click", rule=always("click")),
    _shape("Rendering Failure", "failure", rule=always("rendering_failure")),
    _shape("Subscription", "subscription", rule=always("subscription")),
)

SHAPES_BY_TYPE: dict[str, EventShape] = {shape.event_type: shape for shape in SHAPES}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")


@lru_cache(maxsize=256)
def shape_for(event_type: str) -> EventShape:
    """The table's shape for ``event_type``, or the generic shape of an unknown type."""
    known = SHAPES_BY_TYPE.get(event_type)
    if known is not None:
        return known
    snake = _NOT_WORD.sub("_", _CAMEL_BOUNDARY.sub("_", event_type.strip())).strip("_").lower()
    return _shape(event_type, event_type[:1].lower() + event_type[1:], rule=always(snake or "unknown"))


#: EventBridge ``detail-type`` -> SES ``eventType`` of the event-publishing record in ``detail``
#: (AWS: "Monitor SES events with EventBridge"). Every entry must name a shape in the table.
EVENTBRIDGE_DETAIL_TYPES: dict[str, str] = {
    "Email Sent": "Send",
    "Email Delivered": "Delivery",
    "Email Bounced": "Bounce",
    "Email Complaint Received": "Complaint",
    "Email Rejected": "Reject",
    "Email Opened": "Open",
    "Email Clicked": "Click",
    "Email Rendering Failed": "Rendering Failure",
    "Email Delivery Delayed": "DeliveryDelay",
    "Email Subscribed": "Subscription",
}
#: SES's other EventBridge events: about the account, not a mail; counted, never rows.
EVENTBRIDGE_NOTICE_TYPES: tuple[str, ...] = (
    "Sending Status Enabled",
    "Sending Status Disabled",
    "Advisor Recommendation Status Open",
    "Advisor Recommendation Status Resolved",
)
#: The ``source`` of every event SES sends to EventBridge.
EVENTBRIDGE_SOURCE = "aws.ses"
#: Prefix of the ``df.attrs["control"]`` kind an EventBridge event without a mail is counted as.
EVENTBRIDGE_CONTROL_PREFIX = "eventbridge:"
#: SES notification types that are not feedback about mail sent: inbound mail (``Received``,
#: from receipt rules) and the test message sent when a topic is attached to an identity.
COUNTED_TYPES = frozenset({"Received", "AmazonSnsSubscriptionSucceeded"})
