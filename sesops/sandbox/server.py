"""The embedded sandbox: moto's server on 127.0.0.1, with SES fidelity (:mod:`sesops.sandbox.patching`).

::

    with Sandbox(port=0) as sb:
        ses = sb.session("us-east-1").client("ses")   # dummy credentials, sandbox endpoint
        print(sb.endpoint, sb.env, sb.cert_dir)

The sandbox never binds anything but 127.0.0.1 and never reads the user's credentials:
its sessions and :attr:`Sandbox.env` carry dummy ones. moto keeps one state per process:
starting a Sandbox empties it (``reset=False`` keeps it), in-process ``mock_aws`` included. SNS messages it delivers are
signed by its own :class:`~sesops.sns.signing.SigningAuthority`, whose certificate is in
:attr:`Sandbox.cert_dir` (for ``sesops serve --cert-dir``). What it could not deliver (an
endpoint that refused, a deleted queue or topic) is logged on ``sesops.sandbox`` and listed in
:attr:`Sandbox.delivery_failures`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3

from sesops.errors import AwsError
from sesops.sandbox.failures import DeliveryFailure
from sesops.sns.signing import SigningAuthority

LOG = logging.getLogger("sesops.sandbox")

HOST = "127.0.0.1"
DEFAULT_REGION = "us-east-1"
DUMMY_KEY = "testing"
KEPT_FAILURES = 1000  # delivery failures a Sandbox keeps; a long run against a dead endpoint stays small
# Variables that could point boto3 at a real account; the sandbox process drops them.
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def sandbox_env(endpoint: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """The environment that points boto3 (and the AWS CLI) at a sandbox (pure)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": DUMMY_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
        "AWS_DEFAULT_REGION": region,
    }


def dummy_environ(environ: Mapping[str, str], region: str = DEFAULT_REGION) -> dict[str, str]:
    """``environ`` without credentials or profiles, with the sandbox's dummy ones (pure)."""
    clean = {k: v for k, v in environ.items() if k not in CREDENTIAL_VARIABLES and k != "AWS_ENDPOINT_URL"}
    clean.update(
        {"AWS_ACCESS_KEY_ID": DUMMY_KEY, "AWS_SECRET_ACCESS_KEY": DUMMY_KEY, "AWS_DEFAULT_REGION": region}
    )
    clean["AWS_CONFIG_FILE"] = os.devnull
    clean["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return clean


def dummy_session(region: str = DEFAULT_REGION, endpoint: str | None = None) -> boto3.Session:
    """A boto3 Session with dummy credentials, optionally bound to a sandbox ``endpoint``."""
    if endpoint is None:
        return boto3.Session(aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_KEY, region_name=region)
    return SandboxSession(endpoint, region)


class SandboxSession(boto3.Session):
    """A Session whose clients and resources default to the sandbox endpoint."""

    def __init__(self, endpoint: str, region: str = DEFAULT_REGION) -> None:
        super().__init__(aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_KEY, region_name=region)
        self.endpoint_url = endpoint

    def client(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if kwargs.get("endpoint_url") is None:
            kwargs["endpoint_url"] = self.endpoint_url
        return super().client(*args, **kwargs)

    def resource(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if kwargs.get("endpoint_url") is None:
            kwargs["endpoint_url"] = self.endpoint_url
        return super().resource(*args, **kwargs)


class Sandbox:
    """moto's ThreadedMotoServer on 127.0.0.1 with the SES fidelity patches installed."""

    def __init__(
        self,
        port: int = 0,
        *,
        region: str = DEFAULT_REGION,
        signer: SigningAuthority | None = None,
        cert_dir: str | Path | None = None,
        quiet: bool = True,
        reset: bool = True,
    ) -> None:
        self.port = port
        self.quiet = quiet
        self.reset = reset
        self.region = region
        self.authority = signer or SigningAuthority.generate()
        self._cert_dir = Path(cert_dir) if cert_dir is not None else None
        self._own_cert_dir = cert_dir is None
        self._server: object | None = None
        self._endpoint: str | None = None
        self._failures: list[DeliveryFailure] = []
        self._failures_lock = threading.Lock()

    def start(self) -> Sandbox:
        from sesops.sandbox import failures, patching

        patching.install(self.authority)
        failures.watch(self._record_failure)
        try:
            self._serve()
        except BaseException:
            server, self._server = self._server, None
            if server is not None:
                _stop_quietly(server)  # the error that stopped the start is the one to see
            failures.unwatch(self._record_failure)
            patching.uninstall()
            if self._own_cert_dir and self._cert_dir is not None:
                _remove_cert_dir(self._cert_dir)
                self._cert_dir = None
            raise
        return self

    def _serve(self) -> None:
        from moto.server import ThreadedMotoServer

        if self.quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        if self._cert_dir is None:
            self._cert_dir = Path(tempfile.mkdtemp(prefix="sesops-sandbox-certs-"))
        self.authority.write_cert_dir(self._cert_dir)
        _check_port_free(self.port)  # moto's server thread would die silently and start() hang
        server = ThreadedMotoServer(ip_address=HOST, port=self.port, verbose=False)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        if host != HOST:  # never anything but loopback
            raise AwsError(f"sandbox: bound to {host}, refusing (only {HOST} is allowed)")
        self.port = port
        self._endpoint = f"http://{HOST}:{port}"
        if self.reset:
            self._reset()

    def _reset(self) -> None:
        """Start empty: moto keeps its state per process, shared by every server and mock in it."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            from sesops.sandbox import failures, patching

            try:
                server.stop()  # type: ignore[attr-defined]
            finally:
                failures.unwatch(self._record_failure)
                patching.uninstall()
        if self._own_cert_dir and self._cert_dir is not None:
            _remove_cert_dir(self._cert_dir)
            self._cert_dir = None

    def _record_failure(self, failure: DeliveryFailure) -> None:
        with self._failures_lock:
            if len(self._failures) < KEPT_FAILURES:
                self._failures.append(failure)

    @property
    def delivery_failures(self) -> list[DeliveryFailure]:
        """What this process's moto could not deliver since this sandbox started, oldest first.

        A copy; the first :data:`KEPT_FAILURES` are kept (every one is logged on ``sesops.sandbox``).
        """
        with self._failures_lock:
            return list(self._failures)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            raise AwsError("sandbox is not running; call start() or use it as a context manager")
        return self._endpoint

    @property
    def env(self) -> dict[str, str]:
        """The variables that point boto3 and the AWS CLI at this sandbox."""
        return sandbox_env(self.endpoint, self.region)

    @property
    def cert_dir(self) -> Path:
        """A directory holding the sandbox's signing certificate (``sesops serve --cert-dir``)."""
        if self._cert_dir is None:
            raise AwsError("sandbox is not running; its certificate directory exists only while it runs")
        return self._cert_dir

    def session(self, region: str | None = None) -> boto3.Session:
        """A boto3 Session with dummy credentials whose clients talk to this sandbox."""
        return dummy_session(region or self.region, self.endpoint)


def _stop_quietly(server: Any) -> None:
    try:
        server.stop()
    except Exception:
        LOG.exception("sandbox: stopping moto's server after a failed start failed too")


def _remove_cert_dir(path: Path) -> None:
    """Delete the sandbox's own certificate directory; a leftover is logged, not fatal."""
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return
    except OSError as err:
        LOG.warning("sandbox: could not remove its certificate directory %s: %s", path, err.strerror or err)


def _check_port_free(port: int) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as err:
            raise AwsError(f"sandbox: cannot listen on {HOST}:{port}: {err.strerror or err}") from None


@contextmanager
def mocked(signer: SigningAuthority | None = None) -> Iterator[SigningAuthority]:
    """moto's in-process ``mock_aws`` with the sandbox's fidelity patches; yields the signer."""
    import moto

    from sesops.sandbox import patching

    authority = patching.install(signer)
    try:
        with moto.mock_aws():
            yield authority
    finally:
        patching.uninstall()
