"""The identity picker: every SES identity of the chosen region, each with its verification
status and current wiring, refreshed whenever the region changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import boto3
import ipywidgets as widgets

from sesops import arns
from sesops.aws.identities import IdentityWiring, list_identities
from sesops.widgets.base import Notice, Panel, wide
from sesops.widgets.regions import RegionPicker

Lister = Callable[[str, boto3.Session | None], Sequence[IdentityWiring]]


def describe(identity: IdentityWiring) -> str:
    """One line: name, verification, where each notification type goes, headers, forwarding."""
    verification = "verified" if identity.verified else (identity.verification or "status unknown")
    topics = ", ".join(f"{kind}→{arns.arn_name(arn)}" for kind, arn in identity.topics.items())
    headers = [kind for kind, on in identity.headers.items() if on]
    parts = [
        verification,
        topics or "no notification topics",
        f"headers in {'/'.join(headers)}" if headers else "no headers",
        "forwarding on" if identity.forwarding else "forwarding off",
    ]
    return f"{identity.name} — {'; '.join(parts)}"


class IdentityPicker(Panel):
    """Choose identities of ``region``'s region; ``value`` is the chosen names."""

    def __init__(self, region: RegionPicker, *, lister: Lister = list_identities, rows: int = 8) -> None:
        self.region = region
        self.lister = lister
        self.identities: list[IdentityWiring] = []
        self.select = widgets.SelectMultiple(options=[], rows=rows, description="Identities", layout=wide())
        self.refresh_button = widgets.Button(description="Refresh", tooltip="list the identities again")
        self.notice = Notice()
        self.widget = widgets.VBox([self.select, widgets.HBox([self.refresh_button, self.notice.widget])])
        self.refresh_button.on_click(lambda _: self.refresh())
        region.on_change(lambda _: self.refresh())
        self.refresh()

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(self.select.value)

    @value.setter
    def value(self, names: Sequence[str]) -> None:
        self.select.value = tuple(names)

    def on_change(self, callback: Callable[[tuple[str, ...]], object]) -> None:
        """Call ``callback(names)`` whenever the chosen identities change."""
        self.select.observe(lambda change: callback(tuple(change["new"])), names="value")

    def refresh(self) -> None:
        """List the region's identities again; keep the chosen ones that are still there."""
        region = self.region.value
        keep = set(self.value)
        self.identities = []
        self.select.options = []  # a failed listing must not leave another region's identities
        self.notice.info(f"listing the SES identities in {region}…")
        with self.notice.guard():
            found = list(self.lister(region, self.region.session))
            self.identities = found
            self.select.options = [(describe(identity), identity.name) for identity in found]
            self.select.value = tuple(i.name for i in found if i.name in keep)
            if found:
                noun = "identity" if len(found) == 1 else "identities"
                self.notice.info(f"{len(found)} {noun} in {region}")
            else:
                self.notice.info(
                    f"no SES identity in {region}: name one in the provision panel, or pick another region"
                )
