"""Carry out plan steps: one small function per operation name a :class:`Change` can carry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import boto3

from sesops.aws import clients
from sesops.aws.clients import client
from sesops.aws.errors import aws_call
from sesops.aws.plan import Change
from sesops.errors import ProvisionError


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
        }

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
        self._client("sesv2").create_configuration_set_event_destination(
            ConfigurationSetName=configuration_set,
            EventDestinationName=name,
            EventDestination=dict(destination),
        )

    def update_event_destination(
        self, configuration_set: str, name: str, destination: Mapping[str, Any]
    ) -> None:
        self._client("sesv2").update_configuration_set_event_destination(
            ConfigurationSetName=configuration_set,
            EventDestinationName=name,
            EventDestination=dict(destination),
        )

    def delete_event_destination(self, configuration_set: str, name: str) -> None:
        self._client("sesv2").delete_configuration_set_event_destination(
            ConfigurationSetName=configuration_set, EventDestinationName=name
        )
