"""A throwaway SNS signing authority for tests, the embedded sandbox and benchmarks.

It holds a fresh RSA key and a self-signed certificate, and signs envelopes exactly as SNS
does, so :class:`~sesops.sns.verify.SnsVerifier` with ``cert_dir=authority.write_cert_dir(d)``
(or a fetcher returning ``authority.cert_pem``) accepts them. Never use it to trust anything.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from sesops.arns import sns_host
from sesops.sns.message import canonical_string, topic_region

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_SERIAL_ID = re.compile(r"[A-Za-z0-9]+", re.ASCII)


def sns_timestamp(when: datetime | None = None) -> str:
    """``when`` (default now) as SNS writes it: ``2024-05-01T12:00:00.123Z``."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


class SigningAuthority:
    """An RSA key and self-signed certificate published as ``SimpleNotificationService-<id>.pem``."""

    def __init__(self, key: rsa.RSAPrivateKey, certificate: x509.Certificate, serial_id: str) -> None:
        if not _SERIAL_ID.fullmatch(serial_id):
            raise ValueError(f"serial_id must be letters and digits, not {serial_id!r}")
        self.key = key
        self.certificate = certificate
        self.serial_id = serial_id
        self.file_name = f"SimpleNotificationService-{serial_id}.pem"
        self.cert_pem: bytes = certificate.public_bytes(serialization.Encoding.PEM)

    @classmethod
    def generate(
        cls,
        *,
        serial_id: str | None = None,
        valid_days: float = 365,
        not_before: datetime | None = None,
        key_size: int = 2048,
    ) -> SigningAuthority:
        """A new key and certificate valid from ``not_before`` (default: an hour ago) for ``valid_days``."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        start = (not_before or datetime.now(UTC) - timedelta(hours=1)).astimezone(UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=valid_days))
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate, serial_id or secrets.token_hex(16))

    def cert_url(self, region: str) -> str:
        return f"https://{sns_host(region)}/{self.file_name}"

    def write_cert_dir(self, directory: str | Path) -> Path:
        """Write the certificate into ``directory`` (created if needed) as ``--cert-dir`` expects it."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        (path / self.file_name).write_bytes(self.cert_pem)
        return path

    def sign(
        self, envelope: Mapping[str, Any], version: str = "2", *, cert_url: str | None = None
    ) -> dict[str, Any]:
        """A copy of ``envelope`` with SignatureVersion, Signature and SigningCertURL set.

        The certificate URL defaults to this authority's URL in the TopicArn's region; a
        Lambda-style envelope keeps its ``SigningCertUrl`` spelling.
        """
        if version not in _HASHES:
            raise ValueError(f"version must be '1' or '2', not {version!r}")
        signed = dict(envelope)
        url_key = "SigningCertUrl" if "SigningCertUrl" in signed else "SigningCertURL"
        signed["SignatureVersion"] = version
        signed[url_key] = cert_url or self.cert_url(topic_region(str(signed.get("TopicArn"))))
        signature = self.key.sign(canonical_string(signed), padding.PKCS1v15(), _HASHES[version]())
        signed["Signature"] = base64.b64encode(signature).decode("ascii")
        return signed

    def notification(
        self,
        topic_arn: str,
        message: str,
        *,
        subject: str | None = None,
        message_id: str | None = None,
        timestamp: datetime | str | None = None,
        version: str = "2",
    ) -> dict[str, Any]:
        """A signed Notification envelope, keys in the order SNS sends them."""
        region = topic_region(topic_arn)
        envelope: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic_arn,
        }
        if subject is not None:
            envelope["Subject"] = subject
        envelope["Message"] = message
        envelope["Timestamp"] = _timestamp(timestamp)
        signed = self.sign(envelope, version)
        signed["UnsubscribeURL"] = (
            f"https://{sns_host(region)}/?Action=Unsubscribe&SubscriptionArn={topic_arn}:{uuid.uuid4()}"
        )
        return signed

    def subscription_confirmation(
        self,
        topic_arn: str,
        *,
        token: str | None = None,
        subscribe_url: str | None = None,
        message_id: str | None = None,
        timestamp: datetime | str | None = None,
        version: str = "2",
        unsubscribe: bool = False,
    ) -> dict[str, Any]:
        """A signed SubscriptionConfirmation (or, with ``unsubscribe``, UnsubscribeConfirmation)."""
        region = topic_region(topic_arn)
        token = token or secrets.token_hex(64)
        if unsubscribe:
            kind, action = "UnsubscribeConfirmation", "unsubscribed from"
        else:
            kind, action = "SubscriptionConfirmation", "chosen to subscribe to"
        envelope = {
            "Type": kind,
            "MessageId": message_id or str(uuid.uuid4()),
            "Token": token,
            "TopicArn": topic_arn,
            "Message": (
                f"You have {action} the topic {topic_arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message."
            ),
            "SubscribeURL": subscribe_url
            or (f"https://{sns_host(region)}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"),
            "Timestamp": _timestamp(timestamp),
        }
        return self.sign(envelope, version)


def _timestamp(value: datetime | str | None) -> str:
    return value if isinstance(value, str) else sns_timestamp(value)
