"""``status``: read the wiring back and diagnose it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import boto3

from sesops.aws import clients
from sesops.aws.doctor import NO_DETAIL_TYPES, Problem, diagnose
from sesops.aws.provision import resolve_region
from sesops.aws.readback import read_state
from sesops.aws.state import State


@dataclass(frozen=True)
class StatusReport:
    state: State
    problems: list[Problem]

    @property
    def healthy(self) -> bool:
        return not self.problems


def status(
    identities: Sequence[str] | None = None,
    *,
    topics: Sequence[str] = (),
    region: str | None = None,
    session: boto3.Session | None = None,
    keep_forwarding: bool = False,
    configuration_sets: Sequence[str] = (),
    detail_types: Mapping[str, str] = NO_DETAIL_TYPES,
) -> StatusReport:
    """Read ``identities`` (all in the region when None), the topics they use, their default
    configuration sets and ``configuration_sets`` with their channels, and diagnose.

    ``detail_types`` is ``sesops.events.shapes.EVENTBRIDGE_DETAIL_TYPES``: with it, an EventBridge
    rule that does not match what its destination publishes is named too.
    """
    region = resolve_region(region, session)
    session = session or clients.session()  # one Session: models load once, not per client
    state = read_state(
        region, identities=identities, topics=topics, configuration_sets=configuration_sets, session=session
    )
    problems = diagnose(state, keep_forwarding=keep_forwarding, detail_types=detail_types)
    return StatusReport(state=state, problems=problems)
