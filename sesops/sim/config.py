"""What to simulate: :class:`SimulationConfig`, checked when it is made (see :mod:`sesops.sim.simulate`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sesops import arns
from sesops.errors import InputError

DEFAULT_START = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday; fixed so a seed means one output
_RATE_FIELDS = (
    "bounce_rate",
    "soft_bounce_rate",
    "complaint_rate",
    "ooto_rate",
    "delay_rate",
    "open_rate",
    "click_rate",
    "reject_rate",
    "rendering_failure_rate",
    "unsubscribe_rate",
)


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to simulate. Rates are fractions of sent recipients (see the module docstring)."""

    messages: int
    days: int = 7
    seed: int = 0
    bounce_rate: float = 0.02
    soft_bounce_rate: float = 0.006
    complaint_rate: float = 0.0008
    ooto_rate: float = 0.004
    delay_rate: float = 0.01
    event_publishing: bool = False
    open_rate: float = 0.22  # the rest apply with event_publishing only
    click_rate: float = 0.03
    reject_rate: float = 0.0005
    rendering_failure_rate: float = 0.0005
    unsubscribe_rate: float = 0.001
    sender: str = "Example Shop <news@mail.example.com>"
    reply_to: str = "Example Shop Support <support@example.com>"
    identity: str = "mail.example.com"
    caller_identity: str = "shop-mailer"
    configuration_set: str = "shop-marketing"
    campaign: str = "spring-sale"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    start: datetime | None = None  # None: DEFAULT_START

    def __post_init__(self) -> None:
        if self.messages < 0:
            raise InputError(f"messages must be >= 0, not {self.messages}")
        if self.days < 1:
            raise InputError(f"days must be >= 1, not {self.days}")
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InputError(f"{name} must be between 0 and 1, not {value}")
        if self.bounce_rate + self.soft_bounce_rate + self.reject_rate + self.rendering_failure_rate > 1.0:
            raise InputError("bounce, soft bounce, reject and rendering failure rates add up to more than 1")
        if 3 * (self.complaint_rate + self.ooto_rate) > 1.0:
            raise InputError("complaint_rate + ooto_rate must be at most 1/3")
        if self.click_rate > self.open_rate:
            raise InputError("click_rate cannot exceed open_rate (a click follows an open)")
        try:
            arns.partition(self.region)
        except ValueError as err:
            raise InputError(f"region: {err}") from None

    @property
    def start_ms(self) -> int:
        start = self.start or DEFAULT_START
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        return int(start.timestamp() * 1000)

    @property
    def default_topic_arn(self) -> str:
        return arns.topic_arn(self.region, self.account_id, "ses-feedback")

    @classmethod
    def rate_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name in _RATE_FIELDS)
