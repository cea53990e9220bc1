"""Optional edges stay optional: `import sesops` and `sesops --help` load no heavy package, the
capture host's commands run with every extra missing, and a missing extra is named in one line.

Each check runs a fresh interpreter, so nothing this test process imported hides a leak. "Every
extra missing" is simulated by ``sys.modules[name] = None`` for each module in
``sesops.errors.EXTRAS``: importing one then raises ModuleNotFoundError, as on a core install.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import orjson
import pytest
import urllib3
from packaging.requirements import Requirement

from sesops.errors import EXTRAS
from sesops.sns.signing import SigningAuthority
from tests.capture_samples import TOPIC, ses_bounce
from tests.conftest import ROOT

TIMEOUT = 120
# Never loaded by `import sesops` nor by any `--help`.
HEAVY = sorted({module for modules in EXTRAS.values() for module in modules})
NOT_FOR_HELP = [*HEAVY, "boto3", "botocore", "cryptography", "urllib3"]
SUBCOMMANDS = ["load", "export", "verify", "serve", "drain", "simulate", "provision", "status"]
SUBCOMMANDS += ["teardown", "sandbox", "demo", "notebook"]
PRINT_MODULES = "\nimport json, sys\nprint(json.dumps(sorted({m.partition('.')[0] for m in sys.modules})))\n"
BLOCK_EXTRAS = f"import sys\nfor _name in {HEAVY!r}:\n    sys.modules[_name] = None\n"
CORE_PACKAGES = ["sesops.events", "sesops.sns", "sesops.aws", "sesops.capture", "sesops.sim", "sesops.cli"]


def python(code: str, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        env=env,
        check=False,
    )


def top_level_modules_after(code: str) -> set[str]:
    proc = python(code + PRINT_MODULES)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


def cli(argv: list[str]) -> str:
    """Code that runs ``sesops ARGV`` in-process and exits with its status."""
    return f"from sesops.cli import main\nsys.exit(main({argv!r}))\n"


def test_import_sesops_loads_no_heavy_package() -> None:
    loaded = top_level_modules_after("import sesops")
    assert not loaded & set(NOT_FOR_HELP), sorted(loaded & set(NOT_FOR_HELP))


def test_help_of_sesops_and_of_every_subcommand_loads_no_heavy_package_nor_boto3() -> None:
    code = (
        "import contextlib, io\nfrom sesops.cli import main\n"
        f"for argv in [[], *[[name] for name in {SUBCOMMANDS!r}]]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main([*argv, '--help'])\n"
    )
    loaded = top_level_modules_after(code)
    assert "argparse" in loaded  # the help really ran
    assert not loaded & set(NOT_FOR_HELP), sorted(loaded & set(NOT_FOR_HELP))


def test_the_sesops_script_prints_help() -> None:
    script = Path(sys.executable).with_name("sesops")
    proc = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0 and "exit status:" in proc.stdout, proc.stderr


def test_every_core_module_imports_without_any_extra() -> None:
    code = BLOCK_EXTRAS + (
        "import importlib, pkgutil\nimport sesops.arns, sesops.errors, sesops.load.sources\n"
        f"for name in {CORE_PACKAGES!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "        print(info.name)\n"
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    imported = proc.stdout.split()
    assert {"sesops.capture.receiver", "sesops.capture.drain", "sesops.capture.store"} <= set(imported)
    assert {"sesops.capture.serving", "sesops.sns.verify", "sesops.cli.serve"} <= set(imported)


def test_verify_and_export_run_without_any_extra(tmp_path: Path) -> None:
    authority = SigningAuthority.generate()
    certs = authority.write_cert_dir(tmp_path / "certs")
    envelope = authority.notification(TOPIC, orjson.dumps(ses_bounce()).decode())
    saved = tmp_path / "saved.json"
    saved.write_bytes(orjson.dumps(envelope))
    db, out = tmp_path / "capture.sqlite", tmp_path / "out.jsonl"
    code = BLOCK_EXTRAS + (
        "from sesops.capture.store import CaptureStore\nfrom sesops.cli import main\n"
        f"store = CaptureStore({str(db)!r})\n"
        f"store.add(open({str(saved)!r}, 'rb').read(), channel='http', verified=True)\n"
        "store.close()\n"
        f"assert main(['verify', {str(saved)!r}, '--cert-dir', {str(certs)!r}]) == 0\n"
        f"sys.exit(main(['export', '--db', {str(db)!r}, '--out', {str(out)!r}]))\n"
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    assert f"{saved}: valid" in proc.stdout
    assert orjson.loads(out.read_bytes().splitlines()[0])["MessageId"] == envelope["MessageId"]


def test_drain_runs_without_any_extra_up_to_aws(tmp_path: Path) -> None:
    """Nothing listens on port 9: the drain gets as far as calling SQS, and says so in one line."""
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # conftest set dummy credentials
    argv = ["drain", "--region", "us-east-1", "--queue", "feedback", "--db", str(tmp_path / "c.sqlite")]
    proc = python(BLOCK_EXTRAS + cli([*argv, "--wait", "0"]), env=env)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("sesops drain: error: ") and "127.0.0.1:9" in proc.stderr


def test_serve_stores_a_notification_without_any_extra(tmp_path: Path) -> None:
    authority = SigningAuthority.generate()
    certs = authority.write_cert_dir(tmp_path / "certs")
    db = tmp_path / "capture.sqlite"
    argv = ["serve", "--db", str(db), "--port", "0", "--allow-topic", TOPIC, "--cert-dir", str(certs)]
    server = subprocess.Popen(
        [sys.executable, "-c", BLOCK_EXTRAS + cli([*argv, "--quiet"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "listening on " in line, line + server.communicate(timeout=TIMEOUT)[1]
        envelope = authority.notification(TOPIC, orjson.dumps(ses_bounce()).decode())
        response = urllib3.PoolManager(retries=False, timeout=10).request(
            "POST",
            line.split("listening on ")[1].strip(),
            body=orjson.dumps(envelope),
            headers={"x-amz-sns-message-type": "Notification"},
        )
        assert response.status == 200, response.data
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=TIMEOUT)
    assert server.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["load", "saved.jsonl"], "analysis"),
        (["sandbox"], "sandbox"),
        (["demo", "--out", "demo-out"], "analysis"),
        (["notebook", "run", "00_primer"], "notebooks"),
    ],
)
def test_a_missing_extra_is_one_line_naming_it(argv: list[str], extra: str) -> None:
    proc = python(BLOCK_EXTRAS + cli(argv))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        f"sesops {argv[0]}: error: this needs the {extra!r} extra: "
        f"pip install 'sesops[{extra}]' ({EXTRAS[extra][0]} is not installed)\n"
    )


def test_the_library_names_the_missing_extra() -> None:
    code = BLOCK_EXTRAS + (
        "import importlib, sesops\nfrom sesops.errors import MissingExtra\n"
        "for attempt in (lambda: sesops.read_events, lambda: sesops.summarize, lambda: sesops.Sandbox,\n"
        "                lambda: importlib.import_module('sesops.analysis.rates'),\n"
        "                lambda: importlib.import_module('sesops.sandbox.server')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except MissingExtra as err:\n"
        "        print(err.extra)\n"
        "print(sesops.CaptureStore.__name__, sesops.SnsVerifier.__name__, sesops.drain.__name__)\n"
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    expected = [
        "analysis",
        "analysis",
        "sandbox",
        "analysis",
        "sandbox",
        "CaptureStore",
        "SnsVerifier",
        "drain",
    ]
    assert proc.stdout.split() == expected


def requirement_names(lines: list[str], extras: dict[str, list[str]]) -> set[str]:
    """Distribution names ``lines`` install, following `sesops[x]` and a requirement's own extras."""
    names: set[str] = set()
    for line in lines:
        req = Requirement(line)
        if req.name == "sesops":
            names |= requirement_names([d for extra in req.extras for d in extras[extra]], extras)
            continue
        names.add(req.name.lower())
        for extra in req.extras:  # moto[server] -> flask, flask-cors, ...
            for dep in importlib.metadata.requires(req.name) or []:
                inner = Requirement(dep)
                if inner.marker is not None and inner.marker.evaluate({"extra": extra}):
                    names.add(inner.name.lower())
    return names


def test_every_extras_module_comes_from_that_extra_and_none_from_the_core() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    distributions = importlib.metadata.packages_distributions()
    core = requirement_names(project["dependencies"], extras)
    for extra, modules in EXTRAS.items():
        installs = requirement_names(extras[extra], extras)
        for module in modules:
            provided_by = {name.lower() for name in distributions[module]}
            assert provided_by & installs, f"{module} ({provided_by}) is not installed by sesops[{extra}]"
            assert not provided_by & core, f"{module} is in the core dependencies and in EXTRAS[{extra!r}]"
