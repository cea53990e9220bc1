"""make lab: JupyterLab's environment points at the sandbox; its command stays on loopback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sesops.cli import main
from sesops.notebook.lab import lab_command, lab_environ
from sesops.notebook.target import CERT_DIR_VARIABLE, connect

SANDBOX_ENV = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def test_lab_environ_points_kernels_at_the_sandbox_and_keeps_profiles_reachable() -> None:
    mine = {
        "PATH": "/usr/bin",
        "AWS_PROFILE": "prod",
        "AWS_SESSION_TOKEN": "real-token",
        "AWS_ACCESS_KEY_ID": "AKIAREAL",
        "AWS_CONFIG_FILE": "/home/me/.aws/config",
    }
    env = lab_environ(mine, SANDBOX_ENV, Path("/tmp/certs"))
    assert env == {
        "PATH": "/usr/bin",
        "AWS_CONFIG_FILE": "/home/me/.aws/config",  # profile = "prod" in a notebook still works
        **SANDBOX_ENV,
        CERT_DIR_VARIABLE: "/tmp/certs",
    }


def test_a_kernel_under_make_lab_talks_to_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in lab_environ({}, SANDBOX_ENV, Path("/tmp/certs")).items():
        monkeypatch.setenv(key, value)
    target = connect()
    assert target.kind == "endpoint" and target.is_sandbox
    assert target.session.client("ses").meta.endpoint_url == SANDBOX_ENV["AWS_ENDPOINT_URL"]


def test_lab_command_binds_loopback_and_roots_at_the_notebooks() -> None:
    command = lab_command(Path("notebooks"), port=8899, open_browser=False, extra=["--allow-root"])
    assert command.count("--allow-root") == 1
    assert command == [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.root_dir=notebooks",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=8899",
        "--ServerApp.open_browser=False",
        "--allow-root",
    ]


@pytest.mark.parametrize(("root", "flags"), [(True, ["--allow-root"]), (False, [])])
def test_lab_command_allows_root_only_as_root(
    monkeypatch: pytest.MonkeyPatch, root: bool, flags: list[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0 if root else 1000)
    assert lab_command(Path("nb"), port=1, open_browser=True)[7:] == flags


def test_lab_refuses_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notebook", "lab", "--notebooks", str(tmp_path / "none"), "--no-browser"]) == 2
    assert "no notebook folder" in capsys.readouterr().err
