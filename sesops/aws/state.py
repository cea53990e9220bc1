"""What sesops reads back from an account: plain frozen dataclasses, no AWS calls.

:func:`sesops.aws.readback.read_state` fills them; the planner (:mod:`sesops.aws.plan`)
and the doctor (:mod:`sesops.aws.doctor`) only look at them, so both are testable
without AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The tag SES puts on every published event's ``mail.tags``: the configuration set it came through.
CONFIGURATION_SET_TAG = "ses:configuration-set"

NOTIFICATION_TYPES: tuple[str, ...] = ("Bounce", "Complaint", "Delivery")
DEFAULT_TYPES: tuple[str, ...] = ("Bounce", "Complaint")


@dataclass(frozen=True)
class IdentityState:
    """One SES identity (a domain or an email address) and its notification settings."""

    name: str
    exists: bool = True
    verification: str | None = "Success"  # Success | Pending | Failed | TemporaryFailure | NotStarted
    topics: Mapping[str, str] = field(default_factory=dict)  # notification type -> topic ARN
    forwarding: bool = True
    headers: Mapping[str, bool] = field(default_factory=dict)  # notification type -> enabled
    configuration_set: str | None = None  # the identity's default configuration set
    requested: bool = True  # False: found inside a requested domain, not asked for by name

    @property
    def is_domain(self) -> bool:
        return "@" not in self.name

    @property
    def domain(self) -> str:
        return self.name.rpartition("@")[2].lower()

    @property
    def verified(self) -> bool:
        return self.exists and self.verification == "Success"


@dataclass(frozen=True)
class TopicState:
    arn: str
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def policy(self) -> str | None:
        return self.attributes.get("Policy")

    @property
    def signature_version(self) -> str:
        return self.attributes.get("SignatureVersion") or "1"


@dataclass(frozen=True)
class SubscriptionState:
    topic_arn: str
    protocol: str
    endpoint: str
    arn: str | None = None  # None while pending confirmation (AWS lists "PendingConfirmation")
    raw_delivery: bool = False

    @property
    def pending(self) -> bool:
        return self.arn is None


@dataclass(frozen=True)
class QueueState:
    name: str
    url: str
    arn: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDestinationState:
    configuration_set: str
    name: str
    enabled: bool
    event_types: tuple[str, ...]  # SESv2 spelling: BOUNCE, COMPLAINT, DELIVERY, ...
    topic_arn: str | None = None  # SnsDestination
    event_bus_arn: str | None = None  # EventBridgeDestination
    stream_arn: str | None = None  # KinesisFirehoseDestination, with the role SES assumes
    role_arn: str | None = None

    @property
    def kind(self) -> str:
        if self.event_bus_arn:
            return "EventBridge"
        if self.stream_arn:
            return "Firehose"
        return "SNS" if self.topic_arn else "other"


@dataclass(frozen=True)
class TargetState:
    id: str
    arn: str


@dataclass(frozen=True)
class RuleState:
    """An EventBridge rule on the default bus whose pattern matches SES events."""

    name: str
    arn: str
    enabled: bool
    pattern: Mapping[str, Any]
    targets: tuple[TargetState, ...] = ()

    @property
    def detail_types(self) -> frozenset[str] | None:
        """The detail-types the pattern matches; None when it matches every one."""
        value = self.pattern.get("detail-type")
        if value is None:
            return None
        return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset({str(value)})

    @property
    def configuration_sets(self) -> frozenset[str] | None:
        """The configuration sets the pattern is limited to (by the ``ses:configuration-set`` tag SES
        puts on every event's mail); None when it takes every set's events."""
        detail = self.pattern.get("detail")
        mail = detail.get("mail") if isinstance(detail, Mapping) else None
        tags = mail.get("tags") if isinstance(mail, Mapping) else None
        value = tags.get(CONFIGURATION_SET_TAG) if isinstance(tags, Mapping) else None
        if value is None:
            return None
        return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset({str(value)})

    def takes(self, configuration_set: str) -> bool:
        """Whether the pattern lets through events of ``configuration_set``."""
        sets = self.configuration_sets
        return sets is None or configuration_set in sets


@dataclass(frozen=True)
class StreamState:
    """A Firehose delivery stream and its (extended) S3 destination."""

    name: str
    arn: str
    status: str  # CREATING | ACTIVE | DELETING | CREATING_FAILED | ...
    version_id: str = "1"
    destination_id: str = ""
    bucket_arn: str | None = None
    role_arn: str | None = None
    prefix: str = ""
    compression: str = "UNCOMPRESSED"


@dataclass(frozen=True)
class RoleState:
    """An IAM role: who may assume it, its inline policies, whether managed ones are attached."""

    name: str
    arn: str
    trust: Mapping[str, Any] = field(default_factory=dict)
    policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # inline: name -> document
    attached: bool = False


@dataclass(frozen=True)
class State:
    """Everything read back, for one region of one account."""

    region: str
    account: str
    identities: tuple[IdentityState, ...] = ()
    topics: Mapping[str, TopicState | None] = field(default_factory=dict)  # ARN -> None when missing
    subscriptions: Mapping[str, tuple[SubscriptionState, ...]] = field(default_factory=dict)  # by topic
    queues: Mapping[str, QueueState | None] = field(default_factory=dict)  # name -> None when missing
    configuration_sets: Mapping[str, tuple[EventDestinationState, ...] | None] = field(
        default_factory=dict
    )  # name -> None when missing
    rules: tuple[RuleState, ...] | None = None  # SES rules on the default bus; None when not read
    streams: Mapping[str, StreamState | None] = field(default_factory=dict)  # name -> None when missing
    roles: Mapping[str, RoleState | None] = field(default_factory=dict)  # name -> None when missing
    buckets: Mapping[str, bool] = field(default_factory=dict)  # name -> exists

    def rule(self, name: str) -> RuleState | None:
        return next((r for r in self.rules or () if r.name == name), None)

    def identity(self, name: str) -> IdentityState | None:
        for identity in self.identities:
            if identity.name == name:
                return identity
        return None

    def topic(self, arn: str) -> TopicState | None:
        return self.topics.get(arn)

    def queue(self, name: str) -> QueueState | None:
        return self.queues.get(name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view (for ``--json`` and debugging)."""
        from dataclasses import asdict

        return asdict(self)
