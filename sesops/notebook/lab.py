"""``make lab``: JupyterLab on ``notebooks/`` with the embedded sandbox running beside it.

One process owns both: it starts the sandbox on 127.0.0.1, then JupyterLab (also on
127.0.0.1) with the sandbox's environment, so every kernel's :func:`~sesops.notebook.target.connect`
finds ``AWS_ENDPOINT_URL`` and talks to the sandbox even on a machine that has real
credentials, and the notebooks share one sandbox (what 01 provisions, 02 sees). A notebook's
``profile`` parameter still reaches the real account. Ctrl-C stops JupyterLab, then the sandbox.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from sesops.errors import InputError
from sesops.notebook.target import CERT_DIR_VARIABLE

HOST = "127.0.0.1"
DEFAULT_PORT = 8888
STOP_SECONDS = 20.0  # JupyterLab's own shutdown, kernels included, before it is killed
# Variables that would make the kernels' default chain pick real credentials over the sandbox's.
_DROPPED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def lab_environ(environ: Mapping[str, str], sandbox_env: Mapping[str, str], cert_dir: Path) -> dict[str, str]:
    """JupyterLab's environment: ours, pointed at the sandbox (pure).

    ``AWS_CONFIG_FILE`` and the credentials file stay, so a notebook's ``profile`` still works.
    """
    env = {k: v for k, v in environ.items() if k not in _DROPPED}
    env.update(sandbox_env)
    env[CERT_DIR_VARIABLE] = str(cert_dir)
    return env


def lab_command(root_dir: Path, *, port: int, open_browser: bool, extra: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line: this interpreter's jupyterlab, on loopback, rooted at ``root_dir``."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root_dir}",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        f"--ServerApp.open_browser={open_browser}",
        *(["--allow-root"] if _is_root() and "--allow-root" not in extra else []),  # root VMs, containers
        *extra,
    ]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def run_lab(
    root_dir: Path, *, port: int = DEFAULT_PORT, open_browser: bool = True, extra: Sequence[str] = ()
) -> int:
    """Run JupyterLab on ``root_dir`` with a sandbox until it exits (or Ctrl-C); its exit status."""
    from sesops.sandbox.server import Sandbox

    if not root_dir.is_dir():
        raise InputError(f"no notebook folder {root_dir}: run from the repository root or pass --notebooks")
    with Sandbox(port=0) as sandbox:
        env = lab_environ(os.environ, sandbox.env, sandbox.cert_dir)
        print(
            f"sesops sandbox on {sandbox.endpoint}; JupyterLab on http://{HOST}:{port}/lab "
            f"({root_dir}); Ctrl-C stops both.",
            flush=True,
        )
        lab = subprocess.Popen(
            lab_command(root_dir, port=port, open_browser=open_browser, extra=extra), env=env
        )
        # SIGTERM to us, or Ctrl-C: JupyterLab gets SIGTERM and shuts its kernels down; then the sandbox.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            return lab.wait()
        except KeyboardInterrupt:
            return _stop(lab)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(lab: subprocess.Popen[bytes]) -> int:
    lab.terminate()
    try:
        return lab.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:  # a server stuck in its shutdown must not outlive us
        lab.kill()
        return lab.wait()
