"""One exception hierarchy for sesops.

Every error sesops raises on purpose derives from :class:`SesopsError`, so callers
(and the CLI, which turns these into one-line messages) can catch one type::

    SesopsError
    ├── InputError              a source cannot be read (missing file, unknown suffix, bad option)
    ├── RecordError             one record is not SES/SNS feedback (carries source, line, reason)
    ├── VerificationError       an SNS message failed signature verification
    │   ├── InvalidMessage          required keys missing or of the wrong type
    │   ├── UnsupportedSignatureVersion
    │   ├── InvalidCertURL          SigningCertURL fails the host/path rule
    │   ├── CertificateError        certificate unparsable, expired, or not yet valid
    │   ├── CertificateUnavailable  could not fetch the certificate (network; retry later)
    │   ├── InvalidSignature        signature does not match the canonical string
    │   ├── TopicNotAllowed         TopicArn not in the allowlist
    │   └── MessageTooOld           Timestamp older than the allowed age
    ├── StoreError              the capture store cannot be opened or written
    └── AwsError                an AWS call failed; the message says what to fix
        └── ProvisionError          a provisioning plan cannot be applied as asked

Messages are short and say what was wrong and, where there is one, how to fix it.
"""

from __future__ import annotations


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


class StoreError(SesopsError):
    """The capture store cannot be opened or written."""


class AwsError(SesopsError):
    """An AWS call failed; the message names the call and what to fix."""


class ProvisionError(AwsError):
    """A provisioning plan cannot be applied as asked."""
