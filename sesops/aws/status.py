"""``status``: read the wiring back and diagnose it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import boto3

from sesops.aws import clients
from sesops.aws.doctor import Problem, diagnose
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
) -> StatusReport:
    """Read ``identities`` (all in the region when None) and the topics they use, and diagnose."""
    region = resolve_region(region, session)
    session = session or clients.session()  # one Session: models load once, not per client
    state = read_state(region, identities=identities, topics=topics, session=session)
    return StatusReport(state=state, problems=diagnose(state, keep_forwarding=keep_forwarding))
