"""A configuration set's channels as provision leaves them, built from the plan itself (pure)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sesops.aws.plan import Spec, plan
from sesops.aws.state import (
    EventDestinationState,
    QueueState,
    RoleState,
    RuleState,
    State,
    StreamState,
    TargetState,
)
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES

ACCOUNT = "123456789012"
REGION = "us-east-1"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/sesops-cs"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:ses-events"
EVENTBRIDGE = Spec(
    configuration_set="cs",
    eventbridge_queue="ses-events",
    event_types=("Bounce", "Complaint", "DeliveryDelay"),
    detail_types=EVENTBRIDGE_DETAIL_TYPES,
)
FIREHOSE = Spec(configuration_set="cs", firehose_bucket="archive", firehose_prefix="ses/")
BOTH = dataclasses.replace(EVENTBRIDGE, firehose_bucket="archive", firehose_prefix="ses/")


def provisioned(spec: Spec = BOTH) -> State:
    """The state a finished provision of ``spec`` reads back as (built by applying its plan)."""
    state = State(region=REGION, account=ACCOUNT)
    steps = plan(state, spec)
    by_op: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        by_op.setdefault(step.op or "", []).append(dict(step.params))
    queues = {
        q["name"]: QueueState(
            q["name"], "url", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{q['name']}", q["attributes"]
        )
        for q in by_op.get("create_queue", [])
    }
    rules = tuple(
        RuleState(
            r["name"],
            RULE_ARN,
            True,
            json.loads(r["pattern"]),
            tuple(TargetState(t["id"], t["arn"]) for t in by_op["put_target"]),
        )
        for r in by_op.get("put_rule", [])
    )
    roles = {
        r["name"]: RoleState(
            r["name"],
            f"arn:aws:iam::{ACCOUNT}:role/{r['name']}",
            json.loads(r["trust"]),
            {
                p["name"]: json.loads(p["document"])
                for p in by_op["put_role_policy"]
                if p["role"] == r["name"]
            },
        )
        for r in by_op.get("create_role", [])
    }
    streams = {
        s["name"]: StreamState(
            s["name"],
            f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{s['name']}",
            "ACTIVE",
            bucket_arn=s["s3"]["BucketARN"],
            role_arn=s["s3"]["RoleARN"],
            prefix=s["s3"].get("Prefix", ""),
            compression=s["s3"]["CompressionFormat"],
        )
        for s in by_op.get("create_stream", [])
    }
    destinations = tuple(
        EventDestinationState(
            "cs",
            d["name"],
            d["destination"]["Enabled"],
            tuple(d["destination"]["MatchingEventTypes"]),
            event_bus_arn=d["destination"].get("EventBridgeDestination", {}).get("EventBusArn"),
            stream_arn=d["destination"].get("KinesisFirehoseDestination", {}).get("DeliveryStreamArn"),
            role_arn=d["destination"].get("KinesisFirehoseDestination", {}).get("IamRoleArn"),
        )
        for d in by_op.get("create_event_destination", [])
    )
    return dataclasses.replace(
        state,
        queues=queues,
        rules=rules,
        roles=roles,
        streams=streams,
        buckets={b["name"]: True for b in by_op.get("create_bucket", [])},
        configuration_sets={"cs": destinations},
    )
