"""The demo's output directory: checked before anything starts, filled at the end.

``DIR/`` gets the capture store, ``events.parquet`` and ``events.csv``, the report
(:func:`sesops.analysis.report.write_report`: PNG charts, ``suppressions.csv``, ``report.html``) and a
``README.txt`` listing them. A capture store left by an earlier demo is replaced; any other is
left alone and the demo refuses to start.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sesops.demo.result import STORE_NAME, DemoResult
from sesops.demo.steps import DemoError

if TYPE_CHECKING:
    import pandas as pd

README_NAME = "README.txt"
README_MARKER = "sesops demo output"  # README.txt's first words: this directory is the demo's


def prepare_out_dir(out: Path) -> None:
    """Create ``out`` or say why not; clear the capture store a previous demo left there."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DemoError(f"--out {out}: exists and is not a directory; pick another --out") from None
    except OSError as err:
        raise DemoError(
            f"--out {out}: cannot create it ({err.strerror or err}); pick a writable --out"
        ) from None
    probe = out / ".sesops-demo-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise DemoError(f"--out {out}: not writable ({err.strerror or err}); pick a writable --out") from None
    store = out / STORE_NAME
    if not store.exists():
        return
    readme = out / README_NAME
    if not (readme.is_file() and readme.read_text(encoding="utf-8").startswith(README_MARKER)):
        raise DemoError(f"{store} exists and is not from an earlier demo; pick another --out")
    for suffix in ("", "-wal", "-shm"):  # our own earlier capture: start afresh
        out.joinpath(STORE_NAME + suffix).unlink(missing_ok=True)


def write_outputs(result: DemoResult, df: pd.DataFrame) -> None:
    from sesops.analysis.report import write_report
    from sesops.load.summary import write_table

    out = result.out_dir
    files = result.files
    files["capture store"] = result.store
    for suffix in ("parquet", "csv"):
        files[f"events ({suffix})"] = path = out / f"events.{suffix}"
        write_table(df, path)
    paths = write_report(df, out, title="sesops demo: SES feedback report")
    files["report"] = paths.html
    files["suppression list"] = paths.suppressions
    for name, chart in paths.charts.items():
        files[f"chart: {name}"] = chart
    result.suppressions = max(0, sum(1 for _ in paths.suppressions.open(encoding="utf-8")) - 1)
    files["this list"] = readme = out / README_NAME
    readme.write_text(readme_text(result), encoding="utf-8")


def readme_text(result: DemoResult) -> str:
    """README.txt: what the demo made, and how to look at it (pure)."""
    width = max(len(name) for name in result.files)
    lines = [
        f"{README_MARKER}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({result.messages:,} simulated messages, seed {result.seed})",
        "",
        "Files:",
        *(f"  {name.ljust(width)}  {path.name}" for name, path in result.files.items()),
        "",
        f"Captured {result.expected:,} notifications by HTTP (sesops serve) and again by SQS (sesops drain),",
        f"and {result.eventbridge_delivered:,} SES events through EventBridge (sesops drain of {result.eventbridge_queue});",
        f"the store kept each SNS MessageId and event id once: {result.store_messages:,} messages "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.store_by_channel.items()))}, "
        "by whichever channel committed first).",
        f"{result.events:,} events, {result.suppressions:,} addresses to suppress.",
        "",
        "Wiring (sesops status): " + verdict(result),
        "",
        "Try next:",
        f"  sesops load {result.store}",
        f"  open {result.files.get('report', result.out_dir / 'report.html')}",
        "  jupyter lab notebooks/",
    ]
    return "\n".join(lines) + "\n"


def verdict(result: DemoResult) -> str:
    report = result.status
    if report is None:
        return "not checked"
    if report.healthy:
        return "healthy, no problems found."
    return f"{len(report.problems)} problem(s):\n" + "\n".join(f"  {p}" for p in report.problems)
