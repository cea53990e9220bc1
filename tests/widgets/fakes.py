"""Fakes the widget tests inject in place of AWS: a region-keyed identity lister and recorders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3

from sesops.aws.identities import IdentityWiring
from sesops.aws.plan import Change
from sesops.aws.provision import ProvisionResult
from sesops.aws.state import State
from sesops.aws.status import StatusReport
from sesops.errors import SesopsError
from sesops.sandbox.server import dummy_session
from sesops.widgets.regions import RegionPicker

ACCOUNT = "123456789012"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
REGIONS = ("eu-west-1", "us-east-1", "us-west-2")


def region_picker(value: str = "us-east-1") -> RegionPicker:
    return RegionPicker(dummy_session(value), regions=REGIONS)


@dataclass
class FakeLister:
    """Identities per region; raises ``error`` instead when one is set."""

    by_region: Mapping[str, Sequence[IdentityWiring]]
    error: Exception | None = None
    calls: list[str] = field(default_factory=list)

    def __call__(self, region: str, session: boto3.Session | None) -> list[IdentityWiring]:
        self.calls.append(region)
        if self.error is not None:
            raise self.error
        return list(self.by_region.get(region, ()))


def wiring(name: str, verification: str = "Success", **kwargs: Any) -> IdentityWiring:
    return IdentityWiring(name, verification, **kwargs)


@dataclass
class FakeProvision:
    """Records each call; plans ``steps`` (``applied`` are the changing ones on a real run)."""

    steps: list[Change]
    error: SesopsError | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, spec: Any, *, region: str, session: Any, dry_run: bool) -> ProvisionResult:
        self.calls.append({"spec": spec, "region": region, "dry_run": dry_run})
        if self.error is not None:
            raise self.error
        applied = [] if dry_run else [s for s in self.steps if s.changes]
        return ProvisionResult(region, State(region, ACCOUNT), list(self.steps), applied, dry_run)


@dataclass
class FakeStatus:
    report: StatusReport | None = None
    error: SesopsError | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, identities: Sequence[str] | None, **kwargs: Any) -> StatusReport:
        self.calls.append({"identities": identities, **kwargs})
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report
