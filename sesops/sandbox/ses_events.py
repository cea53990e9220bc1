"""Patch ``ses-event-publishing``: a send with a configuration set publishes SES's event records.

SendEmail, SendRawEmail, SendTemplatedEmail (SES v1, ``ConfigurationSetName`` and ``Tags``) and
SESv2 SendEmail (``ConfigurationSetName`` and ``EmailTags``) name the configuration set; without
one, the sending identity's default configuration set applies, as in SES. A configuration set that
does not exist fails the send (v1 ``ConfigurationSetDoesNotExist``, v2 ``NotFoundException``).

For each event of the message (one ``Send``, then per recipient what the mailbox simulator answers:
``Delivery``, ``Bounce``, ``Complaint``; or, for a message SES accepts but does not send, ``Reject``
when it carries the EICAR test virus and ``Rendering Failure`` when its template names an attribute
the data lacks), each *enabled* SESv2 event destination whose ``MatchingEventTypes`` include it
receives the event-publishing record, shaped as SES writes it (``eventType``, the type's object,
and ``mail`` with headers and ``tags`` such as ``ses:configuration-set``). Bounce and complaint objects are the identity notification's own, with
the same ``feedbackId``. Delivery to SNS, EventBridge and Firehose is :mod:`sesops.sandbox.destinations`.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from sesops import arns
from sesops.aws.spec import sesv2_type
from sesops.sandbox.destinations import deliver_records
from sesops.sandbox.patch_state import replace
from sesops.sandbox.sesv2 import DESTINATIONS, core_store

SOURCE_IP = "127.0.0.1"
CALLER_IDENTITY = "sesops-sandbox"


@dataclass(frozen=True)
class SendOptions:
    """What a send request said about event publishing: its configuration set and message tags."""

    configuration_set: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


_current: contextvars.ContextVar[SendOptions | None] = contextvars.ContextVar("sesops_send", default=None)


def current_send() -> SendOptions:
    """The options of the send request being answered in this thread (empty outside one)."""
    return _current.get() or SendOptions()


@contextmanager
def sending(options: SendOptions) -> Iterator[None]:
    token = _current.set(options)
    try:
        yield
    finally:
        _current.reset(token)


def matching_destinations(
    destinations: Iterable[Mapping[str, Any]], event_type: str
) -> list[Mapping[str, Any]]:
    """The enabled destinations whose MatchingEventTypes include ``event_type`` (pure).

    An event destination is disabled unless created with ``Enabled: true``, as in SESv2.
    """
    wanted = sesv2_type(event_type)
    return [d for d in destinations if d.get("Enabled") is True and wanted in d.get("MatchingEventTypes", ())]


def event_record(event_type: str, mail: Mapping[str, Any], detail: Mapping[str, Any]) -> dict[str, Any]:
    """One event-publishing record, keys in SES's order: bounces and complaints put ``mail`` last (pure)."""
    if event_type in ("Bounce", "Complaint"):
        return {"eventType": event_type, **detail, "mail": dict(mail)}
    return {"eventType": event_type, "mail": dict(mail), **detail}


def mail_tags(options: SendOptions, configuration_set: str, source: str) -> dict[str, list[str]]:
    """``mail.tags``: SES's own ``ses:*`` tags, then the message's tags (pure)."""
    tags = {
        "ses:configuration-set": [configuration_set],
        "ses:source-ip": [SOURCE_IP],
        "ses:from-domain": [parseaddr(source)[1].rpartition("@")[2]],
        "ses:caller-identity": [CALLER_IDENTITY],
    }
    for name, value in options.tags:
        tags.setdefault(name, []).append(value)
    return tags


def configuration_set_for(backend: Any, identity_names: Sequence[str], options: SendOptions) -> str | None:
    """The configuration set a send uses: the one it names, else its identity's default."""
    if options.configuration_set:
        return options.configuration_set
    for name in identity_names:
        identity = backend.email_identities.get(name)
        default = getattr(identity, "configuration_set_name", None)
        if default:
            return str(default)
    return None


def publish_events(
    backend: Any,
    identity_names: Sequence[str],
    mail: Mapping[str, Any],
    events: Sequence[tuple[str, Mapping[str, Any]]],
) -> None:
    """Deliver the records of ``events`` ((eventType, type object) pairs) to the configuration
    set's matching destinations. ``mail`` is the ``mail`` object with headers, without tags."""
    options = current_send()
    config_set = configuration_set_for(backend, identity_names, options)
    if config_set is None:
        return
    destinations = core_store(backend, DESTINATIONS).get(config_set, {}).values()
    if not destinations:
        return
    tagged = {**mail, "tags": mail_tags(options, config_set, str(mail["source"]))}
    config_set_arn = arns.configuration_set_arn(backend.region_name, backend.account_id, config_set)
    for destination in destinations:
        records = [
            event_record(event_type, tagged, detail)
            for event_type, detail in events
            if matching_destinations([destination], event_type)
        ]
        if records:
            deliver_records(backend.account_id, backend.region_name, destination, records, config_set_arn)


# -- messages SES accepts but does not send ------------------------------------------------------

#: The EICAR anti-virus test file's signature: SES rejects a message that carries it.
EICAR = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
_PLACEHOLDER = re.compile(r"{{\s*([A-Za-z_][\w.]*)\s*}}")


def rejected(*content: str) -> tuple[str, dict[str, Any]] | None:
    """The ``Reject`` event of a message whose content carries a virus (the EICAR test file) (pure)."""
    if any(EICAR in part for part in content):
        return ("Reject", {"reject": {"reason": "Bad content"}})
    return None


def rendering_failure(name: str, template: Mapping[str, Any], data: str) -> tuple[str, dict[str, Any]] | None:
    """The ``Rendering Failure`` of a template naming an attribute its data lacks (pure).

    Only plain ``{{name}}`` / ``{{a.b}}`` placeholders are checked, the way SES reports the first
    missing one; data that is not a JSON object fails too.
    """
    try:
        values = json.loads(data or "{}")
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return (
            "Rendering Failure",
            {"failure": {"errorMessage": "Template data is not valid JSON.", "templateName": name}},
        )
    for part in ("subject_part", "text_part", "html_part"):
        for attribute in _PLACEHOLDER.findall(str(template.get(part) or "")):
            if not _has_path(values, attribute.split(".")):
                message = f"Attribute '{attribute}' is not present in the rendering data."
                return ("Rendering Failure", {"failure": {"errorMessage": message, "templateName": name}})
    return None


def _has_path(values: Any, path: list[str]) -> bool:
    for key in path:
        if not isinstance(values, dict) or key not in values:
            return False
        values = values[key]
    return True


# -- the requests' configuration set and tags ---------------------------------------------------


def _v1_options(response: Any) -> SendOptions:
    from moto.ses.exceptions import ConfigurationSetDoesNotExist

    name = response._get_param("ConfigurationSetName")
    if name and name not in response.backend.config_sets:
        raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
    tags = tuple((str(t.get("Name", "")), str(t.get("Value", ""))) for t in response._get_param("Tags") or [])
    return SendOptions(name or None, tags)


def _v2_options(response: Any) -> SendOptions:
    from moto.ses.exceptions import NotFoundException

    from sesops.sandbox.sesv2 import request_body

    params = request_body(response)
    name = params.get("ConfigurationSetName")
    if name and name not in response.sesv2_backend.core_backend.config_sets:
        raise NotFoundException(f"Configuration set <{name}> does not exist.")
    tags = tuple((str(t.get("Name", "")), str(t.get("Value", ""))) for t in params.get("EmailTags") or [])
    return SendOptions(name or None, tags)


def _with_options(original: Callable[[Any], Any], read: Callable[[Any], SendOptions]) -> Callable[[Any], Any]:
    def respond(self: Any) -> Any:
        with sending(read(self)):
            return original(self)

    return respond


def patch_event_publishing() -> None:
    from moto.ses.responses import EmailResponse
    from moto.sesv2.responses import SESV2Response

    for name in ("send_email", "send_raw_email", "send_templated_email"):
        replace(EmailResponse, name, _with_options(getattr(EmailResponse, name), _v1_options))
    replace(SESV2Response, "send_email", _with_options(SESV2Response.send_email, _v2_options))
