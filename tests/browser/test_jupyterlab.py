"""A real browser on JupyterLab: open a notebook, Run → Run All Cells, wait for the kernel and for
the widgets and charts, screenshot (test-artifacts/screenshots/), and use the widgets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import SCREENSHOTS, Lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_TIMEOUT_MS = 240_000  # every cell of a notebook, on a loaded 2-core machine
UI_TIMEOUT_MS = 60_000
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
# Every code cell's prompt reads "[n]:" once it ran ("[*]:" while queued or running, "[ ]:" before).
PROMPTS = f"[...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt')]"
ALL_CELLS_RAN = (
    f"() => {{ const p = {PROMPTS}; return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }}"
)
SOME_CELL_STARTED = f"() => {PROMPTS}.some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))"
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")  # the status bar, for the notebook in front
ERROR_OUTPUT = f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def scroll_to(page: Any, element: Any) -> None:
    """Bring ``element`` near the top of the notebook (its windowed panel ignores scrollIntoView,
    and re-measures the cells that scroll in, so a jump may need a second one)."""
    for _jump in range(3):
        offset = element.evaluate(
            "el => { const outer = el.closest('.jp-WindowedPanel-outer');"
            " const by = el.getBoundingClientRect().top - outer.getBoundingClientRect().top - 80;"
            " outer.scrollTop += by; return by; }"
        )
        page.wait_for_timeout(500)  # let the panel render what scrolled in
        if abs(offset) < 40:
            return


def open_and_run_all(page: Any, lab: Lab, notebook: str) -> None:
    """Open ``notebook`` alone, wait for its kernel, Run → Run All Cells, wait until every cell ran."""
    page.goto(lab.notebook_url(notebook))
    page.get_by_text(KERNEL_IDLE).wait_for(timeout=UI_TIMEOUT_MS)
    for _attempt in range(2):  # a click landing while the kernel connects is dropped: try once more
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(SOME_CELL_STARTED, timeout=30_000, polling=250)
            break
        except PlaywrightTimeout:
            continue
    try:
        page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_TIMEOUT_MS, polling=500)
        page.get_by_text(KERNEL_IDLE).wait_for(timeout=UI_TIMEOUT_MS)
    except PlaywrightTimeout:
        page.screenshot(path=str(SCREENSHOTS / f"FAILED-{notebook.removesuffix('.ipynb')}.png"))
        raise
    errors = page.locator(ERROR_OUTPUT).filter(has_text="Traceback")
    assert errors.count() == 0, f"{notebook}: a cell failed: {errors.first.inner_text()[:2000]}"


@pytest.mark.timeout(420)
def test_primer_quiz_renders_and_checks_an_answer(page: Any, lab: Lab, screenshots: Path) -> None:
    open_and_run_all(page, lab, "00_primer.ipynb")
    radios = page.locator(".widget-radio-box")
    radios.first.wait_for(timeout=UI_TIMEOUT_MS)
    assert radios.count() >= 5  # one row of radio buttons per question

    question = page.locator(".widget-vbox", has=page.locator("b", has_text="hard-bounce rate")).last
    question.scroll_into_view_if_needed()
    question.locator("label", has_text="5 %").click()
    question.get_by_role("button", name="Check").click()
    verdict = question.locator(".widget-html", has_text="Right.")
    verdict.wait_for(timeout=UI_TIMEOUT_MS)  # the click went through the kernel and back
    assert "10 %" in verdict.inner_text()

    wrong = page.locator(".widget-vbox", has=page.locator("b", has_text="SignatureVersion 2")).last
    wrong.scroll_into_view_if_needed()
    wrong.locator("label", has_text="SHA1withRSA").click()
    wrong.get_by_role("button", name="Check").click()
    page.locator(".widget-html", has_text="Not quite").first.wait_for(timeout=UI_TIMEOUT_MS)
    scroll_to(page, question)
    page.screenshot(path=str(screenshots / "00_primer-quiz.png"))


@pytest.mark.timeout(420)
def test_analysis_notebook_draws_its_charts(page: Any, lab: Lab, screenshots: Path) -> None:
    open_and_run_all(page, lab, "04_analyze_notifications.ipynb")
    charts = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
    charts.first.wait_for(timeout=UI_TIMEOUT_MS)
    assert charts.count() >= 3
    size = charts.first.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size[0] > 100 and size[1] > 100, f"chart image not decoded: {size}"
    scroll_to(page, charts.first)
    page.screenshot(path=str(screenshots / "04_analyze_notifications-chart.png"))
