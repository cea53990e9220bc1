"""Patches ``sesv2-suppression`` and ``sesv2-event-destinations``: what moto's SESv2 lacks.

The account suppression list (put/get/list/delete), configuration-set event destinations
(create/get/update/delete) and an identity's default configuration set
(PutEmailIdentityConfigurationSetAttributes), kept on moto's SES core backend. A malformed request gets a
``BadRequestException`` that says what was wrong, as SESv2 answers.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sesops.sandbox.patch_state import on_restore, replace

_SUPPRESSED = "_sesops_suppressed"
DESTINATIONS = "_sesops_event_destinations"
REASONS = ("BOUNCE", "COMPLAINT")

_CONFIGURATION_SET = "{0}/v2/email/configuration-sets/(?P<ConfigurationSetName>[^/]+)"
# The server routes only the paths listed in moto.sesv2.urls (read when its app is built).
URL_PATHS = (
    "{0}/v2/email/suppression/addresses$",
    "{0}/v2/email/suppression/addresses/(?P<EmailAddress>[^/]+)$",
    _CONFIGURATION_SET + "/event-destinations$",
    _CONFIGURATION_SET + "/event-destinations/(?P<EventDestinationName>[^/]+)$",
    "{0}/v2/email/identities/(?P<EmailIdentity>[^/]+)/configuration-set$",
)


def suppressed_addresses(account: str, region: str) -> set[str]:
    """The (lower-cased) addresses on the account suppression list of ``account``/``region``."""
    from moto.ses.models import ses_backends

    return set(getattr(ses_backends[account][region], _SUPPRESSED, {}))


def core_store(core: Any, name: str) -> dict[str, Any]:
    """The sandbox's dict ``name`` kept on moto's SES backend ``core`` (made on first use)."""
    if not hasattr(core, name):
        setattr(core, name, {})
    value: dict[str, Any] = getattr(core, name)
    return value


def _store(self: Any, name: str) -> dict[str, Any]:
    return core_store(self.sesv2_backend.core_backend, name)


def suppress(core: Any, email: str, reason: str) -> None:
    """Put ``email`` on the account suppression list of moto's SES backend ``core``."""
    core_store(core, _SUPPRESSED)[email.lower()] = (email, reason, datetime.now(UTC).timestamp())


def unsuppress(core: Any, email: str) -> bool:
    """Take ``email`` off the list; False when it was not on it."""
    return core_store(core, _SUPPRESSED).pop(email.lower(), None) is not None


def bad_request(message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("BadRequestException", message)


def request_body(self: Any) -> dict[str, Any]:
    if not self.body:
        return {}
    try:
        data = json.loads(self.body)
    except ValueError as err:
        raise bad_request(f"the request body is not JSON ({err})") from None
    if not isinstance(data, dict):
        raise bad_request(f"the request body must be a JSON object, not {type(data).__name__}")
    return data


def _unquote(value: Any) -> str:
    return unquote(str(value or ""))


def first_param(querystring: dict[str, list[str]], name: str) -> str | None:
    values = querystring.get(name)
    return str(values[0]) if values else None


def _epoch(querystring: dict[str, list[str]], name: str) -> float | None:
    text = first_param(querystring, name)
    return None if text is None else epoch_seconds(text, name)


def epoch_seconds(value: object, name: str) -> float:
    """A time boto3 sent (epoch seconds, or ISO 8601 text) as epoch seconds."""
    text = str(value)
    try:
        return float(text)
    except ValueError:
        pass  # not epoch seconds; ISO 8601 is the other form boto3 sends
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise bad_request(f"{name} {text!r} is neither epoch seconds nor an ISO 8601 time") from None


def count_param(querystring: dict[str, list[str]], name: str, default: int) -> int:
    text = first_param(querystring, name)
    if text is None:
        return default
    if not text.isdigit():
        raise bad_request(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _not_on_list(email: str) -> Exception:
    from moto.ses.exceptions import NotFoundException

    return NotFoundException(f"Email address {email} does not exist on your suppression list.")


def put_suppressed_destination(self: Any) -> str:
    params = request_body(self)
    email, reason = params.get("EmailAddress"), params.get("Reason")
    if not email or reason not in REASONS:
        raise bad_request("EmailAddress and Reason (BOUNCE or COMPLAINT) are required")
    suppress(self.sesv2_backend.core_backend, str(email), reason)
    return "{}"


def get_suppressed_destination(self: Any) -> str:
    email = _unquote(self._get_param("EmailAddress"))
    found = _store(self, _SUPPRESSED).get(email.lower())
    if found is None:
        raise _not_on_list(email)
    address, reason, when = found
    item = {"EmailAddress": address, "Reason": reason, "LastUpdateTime": when, "Attributes": {}}
    return json.dumps({"SuppressedDestination": item})


def delete_suppressed_destination(self: Any) -> str:
    email = _unquote(self._get_param("EmailAddress"))
    if not unsuppress(self.sesv2_backend.core_backend, email):
        raise _not_on_list(email)
    return "{}"


def list_suppressed_destinations(self: Any) -> str:
    query = self.querystring
    reasons = query.get("Reason") or list(REASONS)
    start, end = _epoch(query, "StartDate"), _epoch(query, "EndDate")
    size, offset = count_param(query, "PageSize", 1000), count_param(query, "NextToken", 0)
    items = [
        {"EmailAddress": a, "Reason": r, "LastUpdateTime": t}
        for a, r, t in sorted(_store(self, _SUPPRESSED).values(), key=lambda v: (v[2], v[0]))
        if r in reasons and (start is None or t >= start) and (end is None or t <= end)
    ]
    page: dict[str, Any] = {"SuppressedDestinationSummaries": items[offset : offset + size]}
    if offset + size < len(items):
        page["NextToken"] = str(offset + size)
    return json.dumps(page)


def _config_set(self: Any) -> dict[str, Any]:
    from moto.ses.exceptions import NotFoundException

    name = _unquote(self._get_param("ConfigurationSetName"))
    if name not in self.sesv2_backend.core_backend.config_sets:
        raise NotFoundException(f"Configuration set <{name}> does not exist.")
    result: dict[str, Any] = _store(self, DESTINATIONS).setdefault(name, {})
    return result


def create_configuration_set_event_destination(self: Any) -> str:
    from moto.core.exceptions import JsonRESTError

    destinations = _config_set(self)
    params = request_body(self)
    name = params.get("EventDestinationName")
    if not name:
        raise bad_request("EventDestinationName is required")
    if name in destinations:
        raise JsonRESTError("AlreadyExistsException", f"Event destination {name} already exists.")
    destinations[name] = {"Name": name, **params.get("EventDestination", {})}
    return "{}"


def _existing_destination(self: Any) -> tuple[dict[str, Any], str]:
    from moto.ses.exceptions import NotFoundException

    destinations = _config_set(self)
    name = _unquote(self._get_param("EventDestinationName"))
    if name not in destinations:
        raise NotFoundException(f"Event destination {name} does not exist.")
    return destinations, name


def update_configuration_set_event_destination(self: Any) -> str:
    destinations, name = _existing_destination(self)
    destinations[name] = {"Name": name, **request_body(self).get("EventDestination", {})}
    return "{}"


def delete_configuration_set_event_destination(self: Any) -> str:
    destinations, name = _existing_destination(self)
    del destinations[name]
    return "{}"


def get_configuration_set_event_destinations(self: Any) -> str:
    return json.dumps({"EventDestinations": list(_config_set(self).values())})


def put_email_identity_configuration_set_attributes(self: Any) -> str:
    """Set (or, without ConfigurationSetName, clear) the identity's default configuration set."""
    from moto.ses.exceptions import NotFoundException

    core = self.sesv2_backend.core_backend
    identity = core.email_identities.get(_unquote(self._get_param("EmailIdentity")))
    if identity is None:
        raise NotFoundException(
            f"Email identity {_unquote(self._get_param('EmailIdentity'))} does not exist."
        )
    name = request_body(self).get("ConfigurationSetName") or None
    if name is not None and name not in core.config_sets:
        raise NotFoundException(f"Configuration set <{name}> does not exist.")
    identity.configuration_set_name = name
    return "{}"


RESPONSES: dict[str, Callable[[Any], str]] = {
    "put_suppressed_destination": put_suppressed_destination,
    "get_suppressed_destination": get_suppressed_destination,
    "delete_suppressed_destination": delete_suppressed_destination,
    "list_suppressed_destinations": list_suppressed_destinations,
    "create_configuration_set_event_destination": create_configuration_set_event_destination,
    "update_configuration_set_event_destination": update_configuration_set_event_destination,
    "delete_configuration_set_event_destination": delete_configuration_set_event_destination,
    "get_configuration_set_event_destinations": get_configuration_set_event_destinations,
    "put_email_identity_configuration_set_attributes": put_email_identity_configuration_set_attributes,
}


def patch_sesv2() -> None:
    route(RESPONSES, URL_PATHS)


def route(responses: Mapping[str, Callable[[Any], str]], paths: tuple[str, ...]) -> None:
    """Answer SESv2 operations with ``responses`` (method name -> handler) on ``paths``.

    The server routes only the paths in ``moto.sesv2.urls`` (read when its app is built);
    both the methods and the paths are undone when moto is restored.
    """
    from moto.sesv2 import urls
    from moto.sesv2.responses import SESV2Response

    for name, method in responses.items():
        replace(SESV2Response, name, method)
    for path in paths:
        if path not in urls.url_paths:
            urls.url_paths[path] = SESV2Response.dispatch
            on_restore(functools.partial(_drop_path, urls.url_paths, path))


def _drop_path(paths: dict[str, Any], path: str) -> None:
    paths.pop(path, None)
