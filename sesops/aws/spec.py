"""A plan's vocabulary: what provision is asked for (:class:`Spec`) and the steps it yields (:class:`Change`).

Pure. The names sesops gives what it makes for a configuration set's EventBridge and Firehose
channels are here too (:func:`rule_name`, :func:`stream_name`, ...), so provision, status and
teardown find the same things. The planner (:mod:`sesops.aws.plan`) makes ``Change`` steps,
:mod:`sesops.aws.apply` carries them out, and the CLI and widgets print them with :data:`MARKS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sesops.aws.state import DEFAULT_TYPES, NOTIFICATION_TYPES
from sesops.errors import ProvisionError

Mark = Literal["ok", "create", "update", "delete"]
MARKS: Mapping[str, str] = {"ok": "✓", "create": "+", "update": "~", "delete": "-"}

DEFAULT_TOPIC = "ses-feedback"
EVENT_DESTINATION_NAME = "sesops-feedback"
MAX_RECEIVE_COUNT = 5
# SESv2 event-publishing names of the notification types.
EVENT_TYPE_NAMES: Mapping[str, str] = {"Bounce": "BOUNCE", "Complaint": "COMPLAINT", "Delivery": "DELIVERY"}
# SESv2's EventType enum: what a configuration set's event destination can publish.
SESV2_EVENT_TYPES: tuple[str, ...] = (
    "SEND",
    "REJECT",
    "BOUNCE",
    "COMPLAINT",
    "DELIVERY",
    "OPEN",
    "CLICK",
    "RENDERING_FAILURE",
    "DELIVERY_DELAY",
    "SUBSCRIPTION",
)
EVENTBRIDGE_DESTINATION_NAME = "sesops-eventbridge"
FIREHOSE_DESTINATION_NAME = "sesops-firehose"
QUEUE_TARGET_ID = "sesops-sqs"
NAME_LIMIT = 64  # EventBridge rules, Firehose streams and IAM roles all take at most 64 characters


def sesv2_type(event_type: str) -> str:
    """SESv2's name of an event-publishing ``eventType``: Bounce -> BOUNCE, DeliveryDelay ->
    DELIVERY_DELAY, Rendering Failure -> RENDERING_FAILURE."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", event_type).replace(" ", "_").upper()


def rule_name(configuration_set: str) -> str:
    """The EventBridge rule (default bus) that sends a configuration set's events to the queue."""
    return f"sesops-{configuration_set}"


def stream_name(configuration_set: str) -> str:
    """The Firehose delivery stream that archives a configuration set's events in S3."""
    return f"sesops-{configuration_set}"


def firehose_role_name(configuration_set: str) -> str:
    """The role Firehose assumes to write the bucket."""
    return f"sesops-firehose-{configuration_set}"


def ses_role_name(configuration_set: str) -> str:
    """The role SES assumes to put records to the stream."""
    return f"sesops-ses-{configuration_set}"


@dataclass(frozen=True)
class Change:
    """One step: what it is about, whether it changes anything, and the call that does it."""

    mark: Mark
    resource: str  # kind of thing: "topic", "queue", "subscription", "identity", ...
    name: str
    detail: str
    op: str | None = None  # operation name in sesops.aws.apply; None for "ok"
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return self.mark != "ok"


@dataclass(frozen=True)
class Spec:
    """What provision should make true.

    ``identities`` wire SNS notifications (with ``configuration_set``, an SNS event destination);
    ``eventbridge_queue`` and ``firehose_bucket`` each add a channel to ``configuration_set``,
    publishing ``event_types`` (SES's ``eventType`` spelling: Bounce, DeliveryDelay, ...).
    ``detail_types`` is the EventBridge detail-type -> eventType table
    (``sesops.events.shapes.EVENTBRIDGE_DETAIL_TYPES``); the rule matches the chosen types' names.
    """

    identities: tuple[str, ...] = ()
    topic: str = DEFAULT_TOPIC
    sqs_queue: str | None = None
    https_endpoint: str | None = None
    types: tuple[str, ...] = DEFAULT_TYPES
    configuration_set: str | None = None
    keep_forwarding: bool = False
    max_receive_count: int = MAX_RECEIVE_COUNT
    eventbridge_queue: str | None = None
    firehose_bucket: str | None = None
    firehose_prefix: str = ""
    event_types: tuple[str, ...] = DEFAULT_TYPES
    detail_types: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in NOTIFICATION_TYPES]
        if unknown:
            raise ProvisionError(
                f"unknown notification type {', '.join(unknown)}; use {', '.join(NOTIFICATION_TYPES)}"
            )
        if not self.identities and not self.channels:
            raise ProvisionError(
                "nothing to provision: pass --identity DOMAIN_OR_ADDRESS, or --configuration-set NAME "
                "with --eventbridge QUEUE or --firehose BUCKET"
            )
        if self.channels:
            self._check_channels()
        if self.https_endpoint is not None and not self.https_endpoint.startswith(("https://", "http://")):
            raise ProvisionError(f"--https-endpoint {self.https_endpoint}: must start with https://")

    @property
    def channels(self) -> bool:
        """Whether an EventBridge or Firehose channel is asked for."""
        return bool(self.eventbridge_queue or self.firehose_bucket)

    @property
    def sesv2_types(self) -> tuple[str, ...]:
        return tuple(sesv2_type(t) for t in self.event_types)

    def wanted_detail_types(self) -> tuple[str, ...]:
        """The EventBridge detail-types of ``event_types``, in the table's order."""
        return tuple(name for name, kind in self.detail_types.items() if kind in self.event_types)

    def _check_channels(self) -> None:
        if not self.configuration_set:
            raise ProvisionError(
                "--eventbridge and --firehose publish a configuration set's events: "
                "pass --configuration-set NAME"
            )
        longest = max(
            (firehose_role_name(self.configuration_set), rule_name(self.configuration_set)), key=len
        )
        if len(longest) > NAME_LIMIT:
            raise ProvisionError(
                f"configuration set name too long for the names sesops derives from it ({longest} "
                f"is past {NAME_LIMIT} characters); use a set name of at most "
                f"{NAME_LIMIT - len(longest) + len(self.configuration_set)} characters"
            )
        bad = [t for t in self.event_types if sesv2_type(t) not in SESV2_EVENT_TYPES]
        if bad or not self.event_types:
            raise ProvisionError(
                f"unknown event type {', '.join(bad) or '(none given)'}; SES publishes "
                f"{', '.join(SESV2_EVENT_TYPES)}"
            )
        if self.eventbridge_queue:
            unnamed = [t for t in self.event_types if t not in self.detail_types.values()]
            if unnamed:
                raise ProvisionError(
                    f"no EventBridge detail-type known for {', '.join(unnamed)}; "
                    "pass detail_types=sesops.events.shapes.EVENTBRIDGE_DETAIL_TYPES"
                )
