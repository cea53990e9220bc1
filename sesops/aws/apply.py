"""Carry out plan steps: one small function per operation name a :class:`Change` can carry.

IAM is eventually consistent: a role made a moment ago may not be assumable yet, so the calls
that hand a new role to Firehose or SES retry (boundedly) while AWS says it cannot use the role;
a new delivery stream is waited for until ACTIVE.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

from sesops.aws import clients
from sesops.aws.clients import client
from sesops.aws.errors import aws_call, error_code
from sesops.aws.plan import Change
from sesops.errors import AwsError, ProvisionError

ROLE_NOT_READY = frozenset({"InvalidArgumentException", "BadRequestException", "InvalidParameterValue"})


class Applier:
    """Runs steps against one region; clients are made once, on first use."""

    def __init__(self, region: str, session: boto3.Session | None = None) -> None:
        self.region = region
        self.session = session or clients.session()  # one Session: its clients are shared
        # operation -> (the IAM action it needs, the method that makes the call)
        self._ops: Mapping[str, tuple[str, Callable[..., None]]] = {
            "create_topic": ("sns:CreateTopic", self.create_topic),
            "set_topic_attribute": ("sns:SetTopicAttributes", self.set_topic_attribute),
            "delete_topic": ("sns:DeleteTopic", self.delete_topic),
            "create_queue": ("sqs:CreateQueue", self.create_queue),
            "set_queue_attributes": ("sqs:SetQueueAttributes", self.set_queue_attributes),
            "delete_queue": ("sqs:DeleteQueue", self.delete_queue),
            "subscribe": ("sns:Subscribe", self.subscribe),
            "set_subscription_attribute": ("sns:SetSubscriptionAttributes", self.set_subscription_attribute),
            "unsubscribe": ("sns:Unsubscribe", self.unsubscribe),
            "create_identity": ("ses:VerifyDomainIdentity", self.create_identity),
            "set_notification_topic": ("ses:SetIdentityNotificationTopic", self.set_notification_topic),
            "set_headers": ("ses:SetIdentityHeadersInNotificationsEnabled", self.set_headers),
            "set_forwarding": ("ses:SetIdentityFeedbackForwardingEnabled", self.set_forwarding),
            "create_configuration_set": ("ses:CreateConfigurationSet", self.create_configuration_set),
            "create_event_destination": (
                "ses:CreateConfigurationSetEventDestination",
                self.create_event_destination,
            ),
            "update_event_destination": (
                "ses:UpdateConfigurationSetEventDestination",
                self.update_event_destination,
            ),
            "delete_event_destination": (
                "ses:DeleteConfigurationSetEventDestination",
                self.delete_event_destination,
            ),
            "put_rule": ("events:PutRule", self.put_rule),
            "put_target": ("events:PutTargets", self.put_target),
            "remove_targets": ("events:RemoveTargets", self.remove_targets),
            "delete_rule": ("events:DeleteRule", self.delete_rule),
            "create_bucket": ("s3:CreateBucket", self.create_bucket),
            "create_role": ("iam:CreateRole", self.create_role),
            "update_role_trust": ("iam:UpdateAssumeRolePolicy", self.update_role_trust),
            "put_role_policy": ("iam:PutRolePolicy", self.put_role_policy),
            "delete_role_policy": ("iam:DeleteRolePolicy", self.delete_role_policy),
            "delete_role": ("iam:DeleteRole", self.delete_role),
            "create_stream": ("firehose:CreateDeliveryStream", self.create_stream),
            "update_stream": ("firehose:UpdateDestination", self.update_stream),
            "delete_stream": ("firehose:DeleteDeliveryStream", self.delete_stream),
        }
        self.sleep: Callable[[float], None] = time.sleep
        self.role_wait = 60.0  # seconds a new role may take to become assumable
        self.stream_wait = 600.0  # seconds a new delivery stream may take to become ACTIVE
        self.poll = 5.0

    @property
    def actions(self) -> dict[str, str]:
        """Each operation a plan step can carry -> the IAM action that does it (a queue's also
        needs sqs:GetQueueUrl)."""
        return {op: action for op, (action, _) in self._ops.items()}

    def _client(self, service: str) -> Any:
        return client(service, self.session, self.region)

    def run(self, steps: Iterable[Change]) -> list[Change]:
        """Apply every changing step in order; returns the steps applied."""
        done: list[Change] = []
        for step in steps:
            if not step.changes or step.op is None:
                continue
            if step.op not in self._ops:
                raise ProvisionError(f"unknown plan operation {step.op!r}")
            action, op = self._ops[step.op]
            note = f" ({len(done)} earlier step(s) applied; rerun to continue)" if done else ""
            with aws_call(action, f"{step.resource} {step.name}", note=note):
                op(**step.params)
            done.append(step)
        return done

    # -- SNS --------------------------------------------------------------------------
    def create_topic(self, name: str, attributes: Mapping[str, str]) -> None:
        self._client("sns").create_topic(Name=name, Attributes=dict(attributes))

    def set_topic_attribute(self, arn: str, name: str, value: str) -> None:
        self._client("sns").set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)

    def delete_topic(self, arn: str) -> None:
        self._client("sns").delete_topic(TopicArn=arn)

    def subscribe(self, topic_arn: str, protocol: str, endpoint: str, attributes: Mapping[str, str]) -> None:
        self._client("sns").subscribe(
            TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint, Attributes=dict(attributes)
        )

    def set_subscription_attribute(self, arn: str, name: str, value: str) -> None:
        self._client("sns").set_subscription_attributes(
            SubscriptionArn=arn, AttributeName=name, AttributeValue=value
        )

    def unsubscribe(self, arn: str) -> None:
        self._client("sns").unsubscribe(SubscriptionArn=arn)

    # -- SQS --------------------------------------------------------------------------
    def create_queue(self, name: str, attributes: Mapping[str, str]) -> None:
        self._client("sqs").create_queue(QueueName=name, Attributes=dict(attributes))

    def set_queue_attributes(self, name: str, attributes: Mapping[str, str]) -> None:
        sqs = self._client("sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=dict(attributes))

    def delete_queue(self, name: str) -> None:
        sqs = self._client("sqs")
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])

    # -- SES identities ---------------------------------------------------------------
    def create_identity(self, identity: str) -> None:
        ses = self._client("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)

    def set_notification_topic(self, identity: str, type: str, topic_arn: str | None) -> None:
        kwargs = {"SnsTopic": topic_arn} if topic_arn else {}
        self._client("ses").set_identity_notification_topic(
            Identity=identity, NotificationType=type, **kwargs
        )

    def set_headers(self, identity: str, type: str, enabled: bool) -> None:
        self._client("ses").set_identity_headers_in_notifications_enabled(
            Identity=identity, NotificationType=type, Enabled=enabled
        )

    def set_forwarding(self, identity: str, enabled: bool) -> None:
        self._client("ses").set_identity_feedback_forwarding_enabled(
            Identity=identity, ForwardingEnabled=enabled
        )

    # -- SESv2 event publishing -------------------------------------------------------
    def create_configuration_set(self, name: str) -> None:
        self._client("sesv2").create_configuration_set(ConfigurationSetName=name)

    def create_event_destination(
        self, configuration_set: str, name: str, destination: Mapping[str, Any]
    ) -> None:
        self._while_role_propagates(
            self._client("sesv2").create_configuration_set_event_destination,
            ConfigurationSetName=configuration_set,
            EventDestinationName=name,
            EventDestination=dict(destination),
        )

    def update_event_destination(
        self, configuration_set: str, name: str, destination: Mapping[str, Any]
    ) -> None:
        self._while_role_propagates(
            self._client("sesv2").update_configuration_set_event_destination,
            ConfigurationSetName=configuration_set,
            EventDestinationName=name,
            EventDestination=dict(destination),
        )

    def delete_event_destination(self, configuration_set: str, name: str) -> None:
        self._client("sesv2").delete_configuration_set_event_destination(
            ConfigurationSetName=configuration_set, EventDestinationName=name
        )

    # -- EventBridge (the default bus) ------------------------------------------------
    def put_rule(self, name: str, pattern: str, description: str) -> None:
        self._client("events").put_rule(
            Name=name, EventPattern=pattern, State="ENABLED", Description=description, EventBusName="default"
        )

    def put_target(self, rule: str, id: str, arn: str) -> None:
        response = self._client("events").put_targets(
            Rule=rule, EventBusName="default", Targets=[{"Id": id, "Arn": arn}]
        )
        for failed in response.get("FailedEntries", []):
            raise AwsError(
                f"events:PutTargets {rule}: target {failed.get('TargetId', id)} refused: "
                f"{failed.get('ErrorCode', 'Error')}: {failed.get('ErrorMessage', '')}"
            )

    def remove_targets(self, rule: str, ids: list[str]) -> None:
        self._client("events").remove_targets(Rule=rule, EventBusName="default", Ids=list(ids))

    def delete_rule(self, name: str) -> None:
        self._client("events").delete_rule(Name=name, EventBusName="default")

    # -- S3 and IAM -------------------------------------------------------------------
    def create_bucket(self, name: str) -> None:
        kwargs: dict[str, Any] = {"Bucket": name}
        if self.region != "us-east-1":  # us-east-1 refuses a LocationConstraint naming itself
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self._client("s3").create_bucket(**kwargs)

    def create_role(self, name: str, trust: str, description: str) -> None:
        self._client("iam").create_role(
            RoleName=name, AssumeRolePolicyDocument=trust, Description=description[:1000]
        )

    def update_role_trust(self, name: str, trust: str) -> None:
        self._client("iam").update_assume_role_policy(RoleName=name, PolicyDocument=trust)

    def put_role_policy(self, role: str, name: str, document: str) -> None:
        self._client("iam").put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)

    def delete_role_policy(self, role: str, name: str) -> None:
        self._client("iam").delete_role_policy(RoleName=role, PolicyName=name)

    def delete_role(self, name: str) -> None:
        self._client("iam").delete_role(RoleName=name)

    # -- Firehose ---------------------------------------------------------------------
    def create_stream(self, name: str, s3: Mapping[str, Any]) -> None:
        self._while_role_propagates(
            self._client("firehose").create_delivery_stream,
            DeliveryStreamName=name,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=dict(s3),
        )
        self._until_active(name)

    def update_stream(self, name: str, version_id: str, destination_id: str, s3: Mapping[str, Any]) -> None:
        self._while_role_propagates(
            self._client("firehose").update_destination,
            DeliveryStreamName=name,
            CurrentDeliveryStreamVersionId=version_id,
            DestinationId=destination_id,
            ExtendedS3DestinationUpdate=dict(s3),
        )

    def delete_stream(self, name: str) -> None:
        self._client("firehose").delete_delivery_stream(DeliveryStreamName=name)

    def _until_active(self, name: str) -> None:
        waited = 0.0
        while True:
            description = self._client("firehose").describe_delivery_stream(DeliveryStreamName=name)
            status = description["DeliveryStreamDescription"]["DeliveryStreamStatus"]
            if status == "ACTIVE":
                return
            if status != "CREATING" or waited >= self.stream_wait:
                raise ProvisionError(
                    f"delivery stream {name} is {status} after {waited:.0f} s; "
                    + ("rerun provision once it is ACTIVE" if status == "CREATING" else "delete it and rerun")
                )
            self.sleep(self.poll)
            waited += self.poll

    def _while_role_propagates(self, method: Callable[..., Any], **params: Any) -> Any:
        """``method(**params)``, retried while AWS cannot assume a role made moments ago."""
        waited = 0.0
        while True:
            try:
                return method(**params)
            except ClientError as err:
                said = str(err.response.get("Error", {}).get("Message", "")).lower()
                if error_code(err) not in ROLE_NOT_READY or "role" not in said or waited >= self.role_wait:
                    raise
            self.sleep(self.poll)
            waited += self.poll
