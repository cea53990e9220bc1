"""What notebooks stand on: which AWS to talk to, runs kept as records, the primer's quiz, and
the capture pieces a notebook starts and stops.

* :func:`connect` (``target``): a real profile, the configured endpoint or account, or the
  embedded sandbox started once per kernel;
* :func:`run_notebook` / :func:`list_notebooks` (``runs``, ``params``): ``sesops notebook run``;
* :func:`quiz_panel` (``quiz``): the primer's self-check;
* :func:`open_store`, :func:`start_receiver`, :func:`drain_expected` (``capture``) and
  :func:`ensure_wiring`, :func:`mail_simulator` (``wiring``): notebook 03;
* ``suppression`` (the policy as a table, every export format, the SES suppression list) and
  ``reconcile`` (mail the simulator and capture it, then compare with SES's counts): notebook 05;
* :func:`run_lab` (``lab``): ``make lab``, JupyterLab with the sandbox running.

Imported lazily, like :mod:`sesops`: ``sesops --help`` never loads papermill or ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.notebook.capture import (
        drain_expected,
        open_store,
        start_receiver,
        stop_capture,
        wait_for_store,
    )
    from sesops.notebook.lab import run_lab
    from sesops.notebook.quiz import PRIMER_QUIZ, quiz_panel
    from sesops.notebook.runs import list_notebooks, run_notebook
    from sesops.notebook.target import AwsTarget, announce, connect
    from sesops.notebook.wiring import ensure_wiring, mail_simulator, plan_table, topic_arn, wait_confirmed

_EXPORTS = {
    "AwsTarget": "target",
    "PRIMER_QUIZ": "quiz",
    "announce": "target",
    "connect": "target",
    "drain_expected": "capture",
    "list_notebooks": "runs",
    "open_store": "capture",
    "quiz_panel": "quiz",
    "run_lab": "lab",
    "run_notebook": "runs",
    "start_receiver": "capture",
    "stop_capture": "capture",
    "wait_confirmed": "wiring",
    "ensure_wiring": "wiring",
    "mail_simulator": "wiring",
    "plan_table": "wiring",
    "topic_arn": "wiring",
    "wait_for_store": "capture",
}

__all__ = [
    "PRIMER_QUIZ",
    "AwsTarget",
    "announce",
    "connect",
    "drain_expected",
    "ensure_wiring",
    "list_notebooks",
    "mail_simulator",
    "open_store",
    "plan_table",
    "quiz_panel",
    "run_lab",
    "run_notebook",
    "start_receiver",
    "stop_capture",
    "topic_arn",
    "wait_confirmed",
    "wait_for_store",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
