"""``provision``: read the account, plan, and (unless ``dry_run``) apply the plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3

from sesops.arns import dlq_name
from sesops.aws import clients
from sesops.aws.apply import Applier
from sesops.aws.plan import Change, Spec, plan
from sesops.aws.readback import read_state
from sesops.aws.spec import firehose_role_name, ses_role_name, stream_name
from sesops.aws.state import State
from sesops.errors import AwsError


@dataclass(frozen=True)
class ProvisionResult:
    region: str
    state: State  # as read before any change
    steps: list[Change]
    applied: list[Change]
    dry_run: bool

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def resolve_region(region: str | None, session: boto3.Session | None) -> str:
    """``region``, else the session's (profile or AWS_REGION/AWS_DEFAULT_REGION)."""
    found = region or (session or clients.session()).region_name
    if not found:
        raise AwsError("no AWS region: pass --region (or region=...), or set AWS_REGION")
    return found


def provision(
    spec: Spec,
    *,
    region: str | None = None,
    session: boto3.Session | None = None,
    dry_run: bool = False,
) -> ProvisionResult:
    """Make the account match ``spec``; with ``dry_run`` only Get/List/Describe calls are made."""
    region = resolve_region(region, session)
    session = session or clients.session()  # one Session: models load once, not per client
    state = read_state(
        region,
        identities=spec.identities,
        topics=(spec.topic,) if spec.identities else (),
        queues=[
            q for queue in (spec.sqs_queue, spec.eventbridge_queue) if queue for q in (queue, dlq_name(queue))
        ],
        configuration_sets=(spec.configuration_set,) if spec.configuration_set else (),
        session=session,
        **_channel_names(spec),
    )
    steps = plan(state, spec)
    applied = [] if dry_run else Applier(region, session).run(steps)
    return ProvisionResult(region=region, state=state, steps=steps, applied=applied, dry_run=dry_run)


def _channel_names(spec: Spec) -> dict[str, Any]:
    """What the channels of ``spec`` are made of, to read before planning."""
    cs = spec.configuration_set
    if not cs or not spec.channels:
        return {}
    names: dict[str, Any] = {"rules": bool(spec.eventbridge_queue)}
    if spec.firehose_bucket:
        names.update(
            streams=(stream_name(cs),),
            roles=(firehose_role_name(cs), ses_role_name(cs)),
            buckets=(spec.firehose_bucket,),
        )
    return names
