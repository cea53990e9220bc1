"""JupyterLab for the browser tests: started the way `make lab` starts it (`sesops notebook lab`,
the sandbox beside it), on a free port of 127.0.0.1 with a token, rooted at a temporary copy of
notebooks/ and sample_payloads/ so the runs never dirty the repository; and Debian's chromium
driven by Playwright (never `playwright install`: the browser comes from apt, see .ci/run)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_PATHS = (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
START_TIMEOUT = 120.0  # JupyterLab's first start on a loaded 2-core machine


@dataclass(frozen=True)
class Lab:
    url: str  # http://127.0.0.1:PORT
    token: str
    root: Path  # the notebooks folder JupyterLab serves

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"  # reset: only this notebook open


def chromium_path() -> Path | None:
    return next((path for path in CHROMIUM_PATHS if path.is_file() and os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _copy_tree(tmp: Path) -> Path:
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy2(path, notebooks / path.name)
    shutil.copytree(ROOT / "sample_payloads", tmp / "sample_payloads")
    return notebooks


def _jupyter_env(tmp: Path) -> dict[str, str]:
    """Our environment, with Jupyter's own config, data and workspaces kept in ``tmp``."""
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(tmp / name.lower())
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp / "workspaces")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(_lab_settings(tmp / "settings"))
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    return env


def _lab_settings(folder: Path) -> Path:
    """User settings of a fresh JupyterLab: start the notebook's kernel without asking, no news popup."""
    for plugin, values in LAB_SETTINGS.items():
        path = folder / f"{plugin.replace(':', '/')}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return folder


def _wait_ready(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)  # sesops notebook lab stops JupyterLab, then the sandbox
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: nothing outlives the test
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Path:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no chromium at /usr/lib/chromium/chromium or /usr/bin/chromium: "
            "`apt-get install chromium` (.ci/run does) to run the browser tests"
        )
    return path


@pytest.fixture(scope="session")
def lab(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    tmp = tmp_path_factory.mktemp("lab")
    notebooks = _copy_tree(tmp)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "sesops", "notebook", "lab", "--notebooks", str(notebooks),
        "--port", str(port), "--no-browser",
        "--", f"--IdentityProvider.token={token}", "--allow-root",
    ]  # fmt: skip
    log = tmp / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=_jupyter_env(tmp), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, token, process, log)
        yield Lab(url, token, notebooks)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
