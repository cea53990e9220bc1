"""The setup and analysis notebooks in a real browser: 01's region picker lists each region's
identities through the kernel, 04's chart explorer draws its chart and redraws it on a filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Lab
from tests.browser.test_jupyterlab import UI_TIMEOUT_MS, open_and_run_all, scroll_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# A <select>'s option labels, as the browser shows them.
OPTION_LABELS = "select => [...select.options].map(option => option.textContent)"
LISTS_EXAMPLE = "labels.some(label => label.startsWith('example.com'))"


def labelled(page: Any, kind: str, label: str) -> Any:
    """The <select> of the ipywidget of CSS class ``kind`` whose description is ``label``."""
    widget = page.locator(f"{NOTEBOOK} .{kind}", has=page.locator("label", has_text=label))
    return widget.first.locator("select")


def wait_for_labels(page: Any, select: Any, test: str) -> list[str]:
    """Wait until ``test`` (a JS expression of ``labels``) holds for the option labels of ``select``;
    return them."""
    page.wait_for_function(
        f"select => {{ const labels = [...select.options].map(o => o.textContent); return {test}; }}",
        arg=select.element_handle(timeout=UI_TIMEOUT_MS),
        timeout=UI_TIMEOUT_MS,
        polling=250,
    )
    labels: list[str] = select.evaluate(OPTION_LABELS)
    return labels


@pytest.mark.timeout(420)
def test_setup_notebook_lists_each_regions_identities(page: Any, lab: Lab, screenshots: Path) -> None:
    open_and_run_all(page, lab, "01_setup_topic_and_subscription.ipynb")
    region = labelled(page, "widget-dropdown", "Region")
    region.wait_for(timeout=UI_TIMEOUT_MS)
    assert region.input_value() == "us-east-1"
    assert "eu-west-1" in region.evaluate(OPTION_LABELS)  # botocore's SES regions, rendered

    identities = labelled(page, "widget-select-multiple", "Identities")
    here = wait_for_labels(page, identities, LISTS_EXAMPLE)  # the identity Apply made
    assert any("Bounce→ses-feedback" in label for label in here), here  # its wiring, beside it
    scroll_to(page, region)
    page.screenshot(path=str(screenshots / "01_setup-us-east-1.png"))

    region.select_option("eu-west-1")  # the kernel lists eu-west-1, where the sandbox made nothing
    notice = page.locator(f"{NOTEBOOK} .widget-html", has_text="in eu-west-1").first
    notice.wait_for(timeout=UI_TIMEOUT_MS)
    there = wait_for_labels(page, identities, f"!({LISTS_EXAMPLE})")
    assert there != here
    scroll_to(page, region)
    page.screenshot(path=str(screenshots / "01_setup-eu-west-1.png"))

    region.select_option("us-east-1")  # and back: the list comes from the kernel again
    wait_for_labels(page, identities, LISTS_EXAMPLE)


@pytest.mark.timeout(420)
def test_analysis_notebook_explorer_draws_and_filters(page: Any, lab: Lab, screenshots: Path) -> None:
    open_and_run_all(page, lab, "04_analyze_notifications.ipynb")
    charts = page.locator(f"{NOTEBOOK} .jp-OutputArea-output img")
    charts.first.wait_for(timeout=UI_TIMEOUT_MS)
    assert charts.count() >= 3  # the notebook's own charts

    chart = page.locator(f"{NOTEBOOK} .widget-tab img").first  # the explorer's chart in view
    chart.wait_for(timeout=UI_TIMEOUT_MS)
    scroll_to(page, chart)
    size = chart.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size[0] > 100 and size[1] > 100, f"chart image not decoded: {size}"

    summary = page.locator(f"{NOTEBOOK} .widget-html", has_text="charting").first
    everything = summary.inner_text()  # "charting N of N events"
    drawn = chart.element_handle()
    labelled(page, "widget-select-multiple", "Category").select_option(index=0)  # the commonest
    page.wait_for_function(  # the kernel filtered, and the chart in view was drawn again
        "([summary, text, img]) => summary.innerText !== text && !img.isConnected",
        arg=[summary.element_handle(), everything, drawn],
        timeout=UI_TIMEOUT_MS,
    )
    assert summary.inner_text().startswith("charting"), summary.inner_text()
    redrawn = page.locator(f"{NOTEBOOK} .widget-tab img").first
    redrawn.wait_for(timeout=UI_TIMEOUT_MS)
    scroll_to(page, page.locator(f"{NOTEBOOK} .widget-datepicker").first)  # filters, summary, chart
    page.screenshot(path=str(screenshots / "04_analyze-explorer.png"))
