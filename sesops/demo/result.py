"""What a demo run did and where it put everything (filled in step by step by :mod:`sesops.demo.run`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.analysis.rates import Summary
    from sesops.aws.status import StatusReport
    from sesops.capture.drain import DrainResult

STORE_NAME = "capture.sqlite"  # the capture store, in the output directory
EVENTBRIDGE = "eventbridge"  # the tally's name for SES events that came through EventBridge


@dataclass
class DemoResult:
    """What the demo did and where it put everything."""

    out_dir: Path
    messages: int
    seed: int
    queue: str
    identity: str
    endpoint: str = ""
    env: dict[str, str] = field(default_factory=dict)
    receiver_url: str = ""
    topic_arn: str = ""
    provision_changes: int = 0
    expected: int = 0  # notifications SNS delivered on each channel
    http_delivered: int = 0
    sqs_delivered: int = 0
    configuration_set: str = ""  # the simulator mail's; it publishes to EventBridge
    eventbridge_queue: str = ""
    eventbridge_expected: int = 0  # SES events the configuration set published to EventBridge
    eventbridge_delivered: int = 0
    store_by_channel: dict[str, int] = field(default_factory=dict)
    store_messages: int = 0
    drain: DrainResult | None = None  # the SQS drain's totals, once it stopped
    eventbridge_drain: DrainResult | None = None  # the EventBridge queue's drain
    events: int = 0
    duplicates_dropped: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    simulator: dict[str, list[str]] = field(default_factory=dict)  # address -> categories
    suppressions: int = 0
    summary: Summary | None = None
    status: StatusReport | None = None
    files: dict[str, Path] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    total_seconds: float = 0.0

    @property
    def store(self) -> Path:
        return self.out_dir / STORE_NAME
