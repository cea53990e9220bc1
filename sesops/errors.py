"""One exception hierarchy for sesops.

Every error sesops raises on purpose derives from :class:`SesopsError`, so callers
(and the CLI, which turns these into one-line messages) can catch one type::

    SesopsError
    ├── InputError              a source cannot be read (missing file, unknown suffix, bad option)
    ├── RecordError             one record is not SES/SNS feedback (carries source, line, reason)
    │   └── SourceUnreadable        a whole file or directory (or the rest of it) cannot be read
    ├── VerificationError       an SNS message failed signature verification
    │   ├── InvalidMessage          required keys missing or of the wrong type
    │   ├── UnsupportedSignatureVersion
    │   ├── InvalidCertURL          SigningCertURL fails the host/path rule
    │   ├── CertificateError        certificate unparsable, expired, or not yet valid
    │   ├── CertificateUnavailable  could not fetch the certificate (network; retry later)
    │   ├── InvalidSignature        signature does not match the canonical string
    │   ├── TopicNotAllowed         TopicArn not in the allowlist
    │   ├── MessageTooOld           Timestamp older than the allowed age
    │   └── MessageFromFuture       Timestamp later than now, past the allowed clock skew
    ├── StoreError              the capture store cannot be opened or written
    │   └── StoreUnavailable        it cannot take a write right now (removed, replaced, locked): 503
    ├── MissingExtra            an optional extra (analysis, sandbox, notebooks, postgres, dask) is not installed
    └── AwsError                an AWS call failed; the message says what to fix
        └── ProvisionError          a provisioning plan cannot be applied as asked

Messages are short and say what was wrong and, where there is one, how to fix it.

:func:`require_extra` is the one check that an optional extra is installed; ``EXTRAS`` names
the top-level modules sesops imports from each (``pyproject.toml`` lists the extras' packages).
"""

from __future__ import annotations

import importlib.util

# Optional extra -> the top-level modules sesops imports from it; the core (capture, verify,
# provision, simulate) needs none of them. tests/test_imports.py keeps this in step with pyproject.
EXTRAS: dict[str, tuple[str, ...]] = {
    "analysis": ("pandas", "pyarrow", "numpy", "duckdb", "matplotlib"),
    "sandbox": ("moto", "flask"),
    "notebooks": ("ipywidgets", "ipykernel", "jupyterlab", "nbclient", "nbformat", "papermill"),
    "postgres": ("psycopg", "psycopg_pool"),
    "dask": ("dask", "distributed"),
}


class SesopsError(Exception):
    """Base class of every error sesops raises on purpose."""


class InputError(SesopsError):
    """A source or option cannot be used (missing file, unknown suffix, ...)."""


class RecordError(SesopsError):
    """One record is not usable SES/SNS feedback.

    ``source`` and ``line`` locate it (line is 1-based, or the element index for
    in-memory iterables); ``reason`` is the short cause without location.
    """

    def __init__(self, reason: str, source: str = "<record>", line: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {reason}")


class SourceUnreadable(RecordError):
    """A file or directory, or the rest of one, cannot be read: not a regular file, no
    permission, corrupt compression, or past a size limit. It is reported like a bad record
    (``line`` 0 stands for the source itself), and ``sesops load``/``verify`` exit non-zero."""


class VerificationError(SesopsError):
    """An SNS message failed verification; ``str(err)`` is the exact reason."""


class InvalidMessage(VerificationError):
    """The message lacks a key the signature needs, or a key has the wrong type."""


class UnsupportedSignatureVersion(VerificationError):
    """SignatureVersion is neither "1" (SHA1) nor "2" (SHA256)."""


class InvalidCertURL(VerificationError):
    """SigningCertURL is not an SNS certificate URL for the topic's region."""


class CertificateError(VerificationError):
    """The certificate cannot be parsed, or is outside its validity period."""


class CertificateUnavailable(VerificationError):
    """The certificate could not be fetched; a retry may succeed."""


class InvalidSignature(VerificationError):
    """The signature does not match the message."""


class TopicNotAllowed(VerificationError):
    """The message comes from a topic that is not in the allowlist."""


class MessageTooOld(VerificationError):
    """The message Timestamp is older than the maximum age allowed."""


class MessageFromFuture(VerificationError):
    """The message Timestamp is later than now by more than the clock skew allowed."""


class StoreError(SesopsError):
    """The capture store cannot be opened or written."""


class StoreUnavailable(StoreError):
    """The store cannot take a write right now: removed, replaced, unwritable or locked by another
    writer. Nothing was stored; a receiver answers 503 so SNS retries, a drain leaves the message."""


class MissingExtra(SesopsError):
    """An optional extra is not installed; the message says which and how to install it."""

    def __init__(self, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"this needs the {extra!r} extra: pip install 'sesops[{extra}]' ({module} is not installed)"
        )


def require_extra(extra: str) -> None:
    """Raise :class:`MissingExtra` unless every module of ``extra`` (see ``EXTRAS``) is importable."""
    for module in EXTRAS[extra]:
        if importlib.util.find_spec(module) is None:
            raise MissingExtra(extra, module)


def extra_providing(module: str) -> str | None:
    """The extra that installs the top-level package of ``module`` (``"pandas.core"`` -> analysis)."""
    top = module.partition(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)


class AwsError(SesopsError):
    """An AWS call failed; the message names the call and what to fix."""


class ProvisionError(AwsError):
    """A provisioning plan cannot be applied as asked."""
