"""Plan → apply: the provisioning plan is shown first; nothing changes until Apply, and the
wiring is read back after it. Changing any input withdraws the plan (Apply is disabled again)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets

from sesops.aws.plan import DEFAULT_TOPIC, MARKS, Change, Spec
from sesops.aws.provision import ProvisionResult, provision
from sesops.aws.state import DEFAULT_TYPES, NOTIFICATION_TYPES
from sesops.aws.status import status
from sesops.errors import InputError
from sesops.widgets.base import Notice, Panel, html_table, wide
from sesops.widgets.identities import IdentityPicker
from sesops.widgets.regions import RegionPicker
from sesops.widgets.status import StatusFn, StatusPanel

ProvisionFn = Callable[..., ProvisionResult]  # sesops.aws.provision.provision


def steps_html(steps: Sequence[Change]) -> str:
    """The plan as a table; the steps that change something in bold."""
    rows = [(MARKS[s.mark], s.resource, s.name, s.detail) for s in steps]
    return html_table(("", "resource", "name", "what"), rows, bold=lambda row: row[0] != MARKS["ok"])


def _step_keys(steps: Sequence[Change]) -> list[tuple[str, str, str, str]]:
    return [(s.mark, s.resource, s.name, s.detail) for s in steps]


def _names(text: str) -> tuple[str, ...]:
    return tuple(name for name in text.replace(",", " ").split() if name)


class PlanApplyPanel(Panel):
    """Provision the identities chosen in ``identities`` (plus any typed in) in ``region``."""

    def __init__(
        self,
        region: RegionPicker,
        identities: IdentityPicker,
        *,
        provision_fn: ProvisionFn = provision,
        status_fn: StatusFn = status,
        sqs_queue: str = "",
        https_endpoint: str = "",
    ) -> None:
        self.region = region
        self.identities = identities
        self.provision_fn = provision_fn
        self.planned: ProvisionResult | None = None  # the plan Apply would carry out
        self.applied: ProvisionResult | None = None
        self._planned_spec: Spec | None = None
        self.new_identities = widgets.Text(
            description="New identities",
            placeholder="example.com, ops@example.com (created if missing)",
            layout=wide(),
        )
        self.topic = widgets.Text(value=DEFAULT_TOPIC, description="Topic")
        self.sqs_queue = widgets.Text(
            value=sqs_queue, description="SQS queue", placeholder="a -dlq queue is made beside it"
        )
        self.https_endpoint = widgets.Text(
            value=https_endpoint, description="HTTPS endpoint", placeholder="https://…/sns", layout=wide()
        )
        self.configuration_set = widgets.Text(description="Config set", placeholder="optional")
        self.types = widgets.SelectMultiple(
            options=NOTIFICATION_TYPES, value=DEFAULT_TYPES, rows=3, description="Types"
        )
        self.keep_forwarding = widgets.Checkbox(value=False, description="keep email forwarding on")
        self.plan_button = widgets.Button(description="Plan", button_style="info")
        self.apply_button = widgets.Button(description="Apply", button_style="danger", disabled=True)
        self.plan_view = widgets.HTML()
        self.notice = Notice()
        self.readback = StatusPanel(region, identities, status_fn=status_fn)
        self.widget = self._layout()
        self.plan_button.on_click(lambda _: self.plan())
        self.apply_button.on_click(lambda _: self.apply())
        for field in self._inputs():
            field.observe(lambda _: self._inputs_changed(), names="value")
        region.on_change(lambda _: self._inputs_changed())
        identities.on_change(lambda _: self._inputs_changed())

    def _inputs(self) -> list[widgets.Widget]:
        return [
            self.new_identities,
            self.topic,
            self.sqs_queue,
            self.https_endpoint,
            self.configuration_set,
            self.types,
            self.keep_forwarding,
        ]

    def _layout(self) -> widgets.Widget:
        return widgets.VBox(
            [
                self.new_identities,
                widgets.HBox([self.topic, self.sqs_queue]),
                self.https_endpoint,
                widgets.HBox([self.configuration_set, self.types]),
                self.keep_forwarding,
                widgets.HBox([self.plan_button, self.apply_button, self.notice.widget]),
                self.plan_view,
                self.readback.widget,
            ]
        )

    def spec(self) -> Spec:
        """What the inputs ask for; raises :class:`~sesops.errors.SesopsError` saying what to fix."""
        topic = self.topic.value.strip()
        if not topic:
            raise InputError(f"Topic: give the SNS topic's name (e.g. {DEFAULT_TOPIC})")
        if not self.types.value:
            raise InputError(f"Types: choose at least one of {', '.join(NOTIFICATION_TYPES)}")
        identities = tuple(dict.fromkeys((*self.identities.value, *_names(self.new_identities.value))))
        if not identities:
            raise InputError("no identity: choose one in the identity list or type one under New identities")
        return Spec(
            identities=identities,
            topic=topic,
            sqs_queue=self.sqs_queue.value.strip() or None,
            https_endpoint=self.https_endpoint.value.strip() or None,
            types=tuple(self.types.value),
            configuration_set=self.configuration_set.value.strip() or None,
            keep_forwarding=bool(self.keep_forwarding.value),
        )

    def plan(self) -> None:
        """Read the account and show what Apply would change (only Get/List/Describe calls)."""
        self._withdraw_plan()
        self.plan_view.value = ""
        self.notice.info(f"reading the account in {self.region.value}…")
        with self.notice.guard():
            spec = self.spec()
            result = self.provision_fn(
                spec, region=self.region.value, session=self.region.session, dry_run=True
            )
            self.plan_view.value = steps_html(result.steps)
            changes = sum(step.changes for step in result.steps)
            if not changes:
                self.notice.info(f"nothing to change: {result.region} already matches")
                return
            self.planned, self._planned_spec = result, spec
            self.apply_button.disabled = False
            self.notice.info(f"{changes} change(s) planned in {result.region}; nothing has changed yet")

    def apply(self) -> None:
        """Carry out the plan shown, then read the wiring back (and list the identities again)."""
        planned, spec = self.planned, self._planned_spec
        if planned is None or spec is None:
            self.notice.error(InputError("nothing planned: press Plan first, check the plan, then Apply"))
            return
        self._withdraw_plan()  # one Apply per plan, whatever happens next
        self.notice.info(f"applying {sum(s.changes for s in planned.steps)} change(s) in {planned.region}…")
        with self.notice.guard():
            result = self.provision_fn(
                spec, region=planned.region, session=self.region.session, dry_run=False
            )
            self.applied = result
            self.plan_view.value = steps_html(result.steps)
            drifted = _step_keys(result.steps) != _step_keys(planned.steps)
            note = "; the account had changed since the plan, the steps done are listed" if drifted else ""
            self.notice.info(f"applied {len(result.applied)} change(s) in {result.region}{note}")
            self.readback.check(
                identities=spec.identities, topics=(spec.topic,), keep_forwarding=spec.keep_forwarding
            )
            self.identities.refresh()  # the picker shows each identity's wiring: now changed

    def _inputs_changed(self) -> None:
        if self.planned is not None:
            self.notice.info("inputs changed: press Plan again before applying")
        self._withdraw_plan()

    def _withdraw_plan(self) -> None:
        self.planned, self._planned_spec = None, None
        self.apply_button.disabled = True
