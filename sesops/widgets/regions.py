"""The region picker: SES regions from botocore's own endpoint data (no network call)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import boto3
import ipywidgets as widgets

from sesops import arns
from sesops.aws import clients
from sesops.errors import InputError
from sesops.widgets.base import Panel

FALLBACK_REGION = "us-east-1"


def default_region(session: boto3.Session | None = None) -> str:
    """The session's region (profile, AWS_REGION, AWS_DEFAULT_REGION), else us-east-1.

    Raises :class:`InputError` when that setting is not a region name.
    """
    region = (session or clients.session()).region_name or FALLBACK_REGION
    try:
        return arns.check_region(region)
    except ValueError as err:
        raise _bad_region(err) from None


def ses_regions(session: boto3.Session | None = None, partition: str | None = None) -> list[str]:
    """Regions with an SES (v1 or v2) endpoint in ``partition`` (default: the session region's),
    read from the endpoint data botocore ships."""
    session = session or clients.session()
    if not partition:
        try:
            partition = arns.partition(default_region(session))
        except ValueError as err:  # an isolated (ISO) partition sesops does not know
            raise _bad_region(err) from None
    found = set(session.get_available_regions("ses", partition_name=partition))
    found |= set(session.get_available_regions("sesv2", partition_name=partition))
    return sorted(found)


def _bad_region(err: ValueError) -> InputError:
    return InputError(
        f"the AWS region configured for this session (AWS_REGION, AWS_DEFAULT_REGION or the "
        f"profile's region): {err}; set it to one such as us-east-1 (export AWS_REGION=us-east-1)"
    )


class RegionPicker(Panel):
    """A dropdown of SES regions; carries the boto3 session the other panels call AWS with."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        value: str | None = None,
        regions: Sequence[str] | None = None,
    ) -> None:
        self.session = session or clients.session()
        options = list(regions) if regions is not None else ses_regions(self.session)
        chosen = value or default_region(self.session)
        if chosen not in options:  # configured, but newer than this botocore's endpoint data
            options = sorted([*options, chosen])
        self.dropdown = widgets.Dropdown(options=options, value=chosen, description="Region")
        self.widget = self.dropdown

    @property
    def value(self) -> str:
        return str(self.dropdown.value)

    @value.setter
    def value(self, region: str) -> None:
        self.dropdown.value = region

    def on_change(self, callback: Callable[[str], object]) -> None:
        """Call ``callback(region)`` whenever another region is chosen."""
        self.dropdown.observe(lambda change: callback(str(change["new"])), names="value")
