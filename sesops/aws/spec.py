"""A plan's vocabulary: what provision is asked for (:class:`Spec`) and the steps it yields (:class:`Change`).

Pure. The planner (:mod:`sesops.aws.plan`) makes ``Change`` steps, :mod:`sesops.aws.apply` carries
them out, and the CLI and widgets print them with :data:`MARKS`.
"""

from __future__ import annotations

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
    """What provision should make true."""

    identities: tuple[str, ...]
    topic: str = DEFAULT_TOPIC
    sqs_queue: str | None = None
    https_endpoint: str | None = None
    types: tuple[str, ...] = DEFAULT_TYPES
    configuration_set: str | None = None
    keep_forwarding: bool = False
    max_receive_count: int = MAX_RECEIVE_COUNT

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in NOTIFICATION_TYPES]
        if unknown:
            raise ProvisionError(
                f"unknown notification type {', '.join(unknown)}; use {', '.join(NOTIFICATION_TYPES)}"
            )
        if not self.identities:
            raise ProvisionError("no identity given; pass --identity DOMAIN_OR_ADDRESS")
        if self.https_endpoint is not None and not self.https_endpoint.startswith(("https://", "http://")):
            raise ProvisionError(f"--https-endpoint {self.https_endpoint}: must start with https://")
