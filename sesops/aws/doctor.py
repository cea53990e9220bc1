"""The doctor: name every problem in a read-back :class:`State`, each with its fix (pure).

Identities, topics and subscriptions here; a configuration set's EventBridge and Firehose
channels in :mod:`sesops.aws.doctor_channels`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sesops import arns
from sesops.aws import policies
from sesops.aws.doctor_channels import channel_problems
from sesops.aws.problem import Problem
from sesops.aws.spec import EVENT_TYPE_NAMES
from sesops.aws.state import IdentityState, State, TopicState

__all__ = ["Problem", "diagnose"]

NO_DETAIL_TYPES: Mapping[str, str] = {}


def diagnose(
    state: State, *, keep_forwarding: bool = False, detail_types: Mapping[str, str] = NO_DETAIL_TYPES
) -> list[Problem]:
    """Every problem found: identities, then topics and subscriptions, then EventBridge and Firehose.

    ``detail_types`` (``sesops.events.shapes.EVENTBRIDGE_DETAIL_TYPES``) lets the doctor check
    that a rule matches the detail-types of what an EventBridge destination publishes.
    """
    problems: list[Problem] = []
    wired_domains = {
        i.domain for i in state.identities if i.is_domain and {"Bounce", "Complaint"} <= set(i.topics)
    }
    for identity in state.identities:
        problems += _identity_problems(state, identity, wired_domains, keep_forwarding)
    for arn in dict.fromkeys(arn for i in state.identities for arn in i.topics.values()):
        problems += _topic_problems(state, arn)
    return problems + channel_problems(state, detail_types)


def _provision_hint(state: State, identity: str) -> str:
    return f"sesops provision --region {state.region} --identity {identity}"


def _identity_problems(
    state: State, identity: IdentityState, wired_domains: set[str], keep_forwarding: bool
) -> list[Problem]:
    name = identity.name
    if not identity.exists:
        return [
            Problem(
                "identity-missing",
                name,
                f"no such SES identity in {state.region}",
                f"create and verify it ({_provision_hint(state, name)} creates it), "
                "or pass the right --region",
            )
        ]
    problems = _verification_problems(identity)
    missing = [t for t in ("Bounce", "Complaint") if t not in identity.topics]
    problems += _missing_topic_problems(state, identity, missing, wired_domains)
    problems += _duplicate_problems(state, identity)
    if identity.forwarding and not missing and not keep_forwarding:
        problems.append(
            Problem(
                "forwarding-on",
                name,
                "email feedback forwarding is still on (bounces also mailed to the Return-Path)",
                f"{_provision_hint(state, name)} turns it off "
                "(or pass --keep-forwarding to status if you want both)",
            )
        )
    return problems


def _verification_problems(identity: IdentityState) -> list[Problem]:
    if identity.verified:
        return []
    how = "publish its DNS (DKIM/TXT) records" if identity.is_domain else "click the link SES mailed to it"
    return [
        Problem(
            "identity-unverified",
            identity.name,
            f"not verified (status {identity.verification or 'unknown'})",
            f"{how}; SES sends nothing from it until then",
        )
    ]


def _missing_topic_problems(
    state: State, identity: IdentityState, missing: list[str], wired_domains: set[str]
) -> list[Problem]:
    """No topic for ``missing``; an email identity inside a wired domain silently loses that feedback."""
    name = identity.name
    if not missing:
        return []
    if not identity.requested and identity.domain in wired_domains:
        return [
            Problem(
                "email-identity-not-wired",
                name,
                f"inside wired domain {identity.domain} but has no {' or '.join(missing)} topic; "
                "SES uses this identity's settings for its mail, so that feedback is lost",
                f"{_provision_hint(state, name)} (or delete this email identity)",
            )
        ]
    return [
        Problem(
            "no-topic",
            name,
            f"no SNS topic for {' and '.join(missing)} notifications",
            _provision_hint(state, name),
        )
    ]


def _duplicate_problems(state: State, identity: IdentityState) -> list[Problem]:
    """Notifications and a capture channel (SNS or EventBridge event publishing) both carrying a type."""
    if not identity.configuration_set:
        return []
    destinations = state.configuration_sets.get(identity.configuration_set) or ()
    publishing = [d for d in destinations if d.enabled and (d.topic_arn or d.event_bus_arn)]
    published = {t for d in publishing for t in d.event_types}
    both = [kind for kind in identity.topics if EVENT_TYPE_NAMES.get(kind) in published]
    if not both:
        return []
    twice = {EVENT_TYPE_NAMES[kind] for kind in both}
    channels = " and ".join(sorted({d.kind for d in publishing if twice & set(d.event_types)}))
    return [
        Problem(
            "duplicate-feedback",
            identity.name,
            f"{', '.join(both)} arrive twice: identity notifications and event publishing to {channels} "
            f"(configuration set {identity.configuration_set}) are both on; the loader keeps one row, "
            "but every message is captured twice",
            "keep one: unset the identity's notification topics for those types, "
            "or drop them from the configuration set's event destination",
        )
    ]


def _topic_problems(state: State, topic_arn: str) -> list[Problem]:
    """The topic's region and existence, then (if it exists) its policy and its subscriptions."""
    name = arns.arn_name(topic_arn)
    region = arns.arn_region(topic_arn)
    problems: list[Problem] = []
    if region != state.region:
        problems.append(
            Problem(
                "topic-other-region",
                name,
                f"topic is in {region}, the identities in {state.region}; SES publishes in its own region",
                f"create the topic in {state.region} (sesops provision --region {state.region} ...)",
            )
        )
    topic = state.topic(topic_arn)
    if topic is None:
        problems.append(
            Problem(
                "topic-missing",
                name,
                "an identity points at this topic but it does not exist",
                f"sesops provision --region {state.region} --topic {name} --identity ...",
            )
        )
        return problems
    problems += _topic_policy_problems(state, topic, topic_arn, name)
    return problems + _subscription_problems(state, topic_arn, name)


def _topic_policy_problems(state: State, topic: TopicState, topic_arn: str, name: str) -> list[Problem]:
    if policies.allows(
        policies.parse(topic.policy),
        service="ses.amazonaws.com",
        action="sns:Publish",
        resource=topic_arn,
        source_account=state.account,
    ):
        return []
    return [
        Problem(
            "topic-no-ses-permission",
            name,
            "the topic policy does not let ses.amazonaws.com publish",
            f"sesops provision --region {state.region} --topic {name} --identity ... adds the statement",
        )
    ]


def _subscription_problems(state: State, topic_arn: str, name: str) -> list[Problem]:
    subscriptions = state.subscriptions.get(topic_arn, ())
    if not subscriptions:
        return [
            Problem(
                "no-subscription",
                name,
                "nobody is subscribed: feedback published here is dropped",
                f"sesops provision --region {state.region} --topic {name} --sqs QUEUE "
                "(or --https-endpoint URL)",
            )
        ]
    problems: list[Problem] = []
    for sub in subscriptions:
        label = f"{name} -> {sub.protocol} {sub.endpoint}"
        if sub.pending:
            problems.append(
                Problem(
                    "subscription-pending",
                    label,
                    "subscription is pending confirmation; SNS delivers nothing",
                    "run the receiver so it confirms (or open the SubscribeURL it received); "
                    "unconfirmed subscriptions expire after 3 days",
                )
            )
        elif sub.raw_delivery and sub.protocol in ("http", "https"):
            problems.append(
                Problem(
                    "raw-delivery-https",
                    label,
                    "raw message delivery is on: no SNS envelope, so the signature cannot be verified",
                    f"aws sns set-subscription-attributes --subscription-arn {sub.arn} "
                    "--attribute-name RawMessageDelivery --attribute-value false",
                )
            )
    return problems
