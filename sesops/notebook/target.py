"""Which AWS a notebook talks to: a real profile, a configured endpoint or account, or the sandbox.

::

    aws = connect(profile=profile, region=region)   # in every notebook's first code cell
    ses = aws.session.client("ses")

The rule, first match wins:

1. ``profile`` given → that profile of ``~/.aws/config``: a real account. An ``AWS_ENDPOINT_URL``
   in the environment (``make lab`` exports the sandbox's) is ignored for it.
2. ``AWS_ENDPOINT_URL`` set → that endpoint, with whatever credentials the environment has
   (``make lab`` / ``sesops sandbox``).
3. boto3's credential chain finds credentials → the account they belong to.
4. otherwise → the embedded sandbox (:class:`~sesops.sandbox.server.Sandbox`), started once per
   kernel and reused when the cell runs again, so cells stay idempotent.

The notebook says which one it got in one line (:func:`announce`).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import boto3

from sesops.aws import clients
from sesops.errors import InputError

if TYPE_CHECKING:
    from sesops.sandbox.server import Sandbox
    from sesops.sns.verify import SnsVerifier

DEFAULT_REGION = "us-east-1"
# Set by `sesops notebook lab` beside AWS_ENDPOINT_URL: where the sandbox's signing certificate is.
CERT_DIR_VARIABLE = "SESOPS_SANDBOX_CERT_DIR"

Kind = Literal["profile", "endpoint", "credentials", "sandbox"]


@dataclass(frozen=True)
class AwsTarget:
    """What a notebook needs to talk to AWS: a Session, its region, and what it points at."""

    session: boto3.Session
    region: str
    kind: Kind
    description: str
    sandbox: Sandbox | None = None  # the kernel's embedded sandbox, when kind == "sandbox"
    cert_dir: Path | None = None  # pinned SNS signing certificates (a sandbox's), if known

    @property
    def is_sandbox(self) -> bool:
        """True when nothing here can touch a real AWS account."""
        return self.kind == "sandbox" or (self.kind == "endpoint" and self.cert_dir is not None)

    def verifier(self, topic_arns: tuple[str, ...] | None = None) -> SnsVerifier:
        """An SNS signature verifier for this target: the sandbox's pinned certificate, else AWS's."""
        from sesops.sns.verify import SnsVerifier

        return SnsVerifier(cert_dir=self.cert_dir, allowed_topics=topic_arns)

    def _repr_markdown_(self) -> str:
        return self.description


def connect(
    profile: str | None = None,
    region: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    find_credentials: Callable[[], bool] | None = None,
) -> AwsTarget:
    """The AWS target of this kernel (see the module docs for the rule).

    ``environ`` (default ``os.environ``) and ``find_credentials`` (default: boto3's chain) are
    injectable for tests.
    """
    env = os.environ if environ is None else environ
    if profile:
        return _profile_target(profile, region, env)
    endpoint = env.get("AWS_ENDPOINT_URL")
    if endpoint:
        session = clients.session(region=region)
        cert_dir = env.get(CERT_DIR_VARIABLE)
        where = "the sandbox" if cert_dir else "the endpoint"
        return AwsTarget(
            session,
            _region(session, region, "AWS_DEFAULT_REGION"),
            "endpoint",
            f"Talking to **{where} at {endpoint}** (from `AWS_ENDPOINT_URL`).",
            cert_dir=Path(cert_dir) if cert_dir else None,
        )
    if (find_credentials or _chain_has_credentials)():
        session = clients.session(region=region)
        chosen = _region(session, region, "AWS_DEFAULT_REGION")
        return AwsTarget(
            session,
            chosen,
            "credentials",
            f"Talking to the **AWS account of your configured credentials** in {chosen}; "
            "set `profile` to pick another account.",
        )
    return _sandbox_target(region or DEFAULT_REGION)


def announce(target: AwsTarget) -> None:
    """Say in one line which AWS the notebook talks to: Markdown in a notebook, else printed."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(target.description))  # type: ignore[no-untyped-call]
    else:
        print(target.description.replace("**", "").replace("`", ""))


def _profile_target(profile: str, region: str | None, env: Mapping[str, str]) -> AwsTarget:
    import botocore.session

    core = botocore.session.Session(profile=profile)
    if profile not in core.available_profiles:
        known = ", ".join(sorted(core.available_profiles)) or "none"
        raise InputError(
            f"AWS profile {profile!r} is not configured (known: {known}); "
            "add it with `aws configure --profile NAME`, or set profile = None for the sandbox"
        )
    note = ""
    if env.get("AWS_ENDPOINT_URL"):  # make lab's sandbox must not capture a real profile's calls
        core.set_config_variable("ignore_configured_endpoint_urls", True)
        note = " (`AWS_ENDPOINT_URL` ignored)"
    # Not clients.session(profile): the lab's AWS_ENDPOINT_URL must be ignored for this one.
    session = boto3.Session(botocore_session=core, region_name=region)
    chosen = _region(session, region, f"region in the profile {profile!r}")
    return AwsTarget(
        session,
        chosen,
        "profile",
        f"Talking to the **real AWS account of profile `{profile}`** in {chosen}{note}: "
        "changes made here are real.",
    )


def _region(session: boto3.Session, region: str | None, where: str) -> str:
    chosen = region or session.region_name
    if not chosen:
        raise InputError(f"no AWS region: set region in the parameters cell (or the {where})")
    return chosen


def _chain_has_credentials() -> bool:
    """Whether boto3's default chain finds credentials (env, config files, SSO, instance role)."""
    return clients.session().get_credentials() is not None


# -- the kernel's sandbox -----------------------------------------------------------------

_kernel_sandbox: Sandbox | None = None
_kernel_lock = threading.Lock()


def _sandbox_target(region: str) -> AwsTarget:
    sandbox, started = _start_or_reuse_sandbox()
    verb = "started" if started else "reusing"
    return AwsTarget(
        sandbox.session(region),
        region,
        "sandbox",
        f"No AWS endpoint or credentials configured: {verb} the **embedded sandbox** at "
        f"{sandbox.endpoint} in this kernel ({region}); set `profile` to use a real account.",
        sandbox=sandbox,
        cert_dir=sandbox.cert_dir,
    )


def kernel_sandbox() -> Sandbox:
    """This process's embedded sandbox: started on first use, the same one afterwards."""
    return _start_or_reuse_sandbox()[0]


def _start_or_reuse_sandbox() -> tuple[Sandbox, bool]:
    global _kernel_sandbox
    from sesops.sandbox.server import Sandbox

    with _kernel_lock:
        if _kernel_sandbox is not None:
            return _kernel_sandbox, False
        _kernel_sandbox = Sandbox(port=0).start()
        atexit.register(stop_kernel_sandbox)  # the kernel's exit stops moto's server thread
        return _kernel_sandbox, True


def stop_kernel_sandbox() -> None:
    """Stop this process's embedded sandbox, if one runs (the next :func:`connect` starts anew)."""
    global _kernel_sandbox
    with _kernel_lock:
        sandbox, _kernel_sandbox = _kernel_sandbox, None
    if sandbox is not None:
        sandbox.stop()
