"""The status panel: the wiring read back, and every problem with its fix."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets

from sesops import arns
from sesops.aws.state import State
from sesops.aws.status import StatusReport, status
from sesops.errors import SesopsError
from sesops.widgets.base import Notice, Panel, html_table
from sesops.widgets.identities import IdentityPicker
from sesops.widgets.regions import RegionPicker

StatusFn = Callable[..., StatusReport]  # sesops.aws.status.status


def identities_table(state: State) -> str:
    rows = [
        (
            identity.name + ("" if identity.requested else " (inside a checked domain)"),
            "verified" if identity.verified else (identity.verification or "missing"),
            ", ".join(f"{kind}→{arns.arn_name(arn)}" for kind, arn in identity.topics.items()) or "none",
            "on" if identity.forwarding else "off",
            identity.configuration_set or "",
        )
        for identity in state.identities
    ]
    return html_table(("identity", "verification", "topics", "forwarding", "configuration set"), rows)


def topics_table(state: State) -> str:
    rows = []
    for arn, topic in state.topics.items():
        subscriptions = state.subscriptions.get(arn, ())
        listed = ", ".join(
            f"{s.protocol} {arns.arn_name(s.endpoint) if s.protocol == 'sqs' else s.endpoint}"
            + (" (pending)" if s.pending else "")
            for s in subscriptions
        )
        signing = "missing" if topic is None else f"SignatureVersion {topic.signature_version}"
        rows.append((arns.arn_name(arn), arns.arn_region(arn), signing, listed or "none"))
    return html_table(("topic", "region", "state", "subscriptions"), rows)


def report_html(report: StatusReport) -> str:
    state = report.state
    parts = [f"<b>SES feedback wiring in {state.region} (account {state.account})</b>"]
    parts.append(identities_table(state) if state.identities else "<p>no SES identities</p>")
    if state.topics:
        parts.append(topics_table(state))
    if report.healthy:
        parts.append('<p style="color:#1b7f1b">✓ no problem found</p>')
    else:
        rows = [(p.subject, p.message, p.fix) for p in report.problems]
        parts.append(f"<p><b>{len(report.problems)} problem(s)</b></p>")
        parts.append(html_table(("subject", "problem", "fix"), rows))
    return "".join(parts)


class StatusPanel(Panel):
    """Read the wiring back (``check``) or show a report someone else read (``show``)."""

    def __init__(
        self,
        region: RegionPicker,
        identities: IdentityPicker | None = None,
        *,
        status_fn: StatusFn = status,
    ) -> None:
        self.region = region
        self.identities = identities
        self.status_fn = status_fn
        self.report: StatusReport | None = None
        self.check_button = widgets.Button(description="Check status", tooltip="read the wiring back")
        self.view = widgets.HTML()
        self.notice = Notice()
        self.widget = widgets.VBox([widgets.HBox([self.check_button, self.notice.widget]), self.view])
        self.check_button.on_click(lambda _: self.check())

    def check(
        self,
        identities: Sequence[str] | None = None,
        topics: Sequence[str] = (),
        *,
        keep_forwarding: bool = False,
    ) -> None:
        """Read back ``identities`` (default: the picker's choice, else every identity) and show it."""
        if identities is None and self.identities is not None:
            identities = self.identities.value or None
        region = self.region.value
        self.notice.info(f"reading the wiring in {region}…")
        with self.notice.guard():
            report = self.status_fn(
                identities,
                topics=tuple(topics),
                region=region,
                session=self.region.session,
                keep_forwarding=keep_forwarding,
            )
            self.show(report)

    def show(self, report: StatusReport) -> None:
        self.report = report
        self.view.value = report_html(report)
        if report.healthy:
            self.notice.info("healthy")
        else:
            self.notice.info(f"{len(report.problems)} problem(s): see the fixes below")

    def show_error(self, err: SesopsError) -> None:
        self.report = None
        self.view.value = ""
        self.notice.error(err)
