"""The throwaway signing authority: certificate shape, URLs and envelopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509

from sesops.sns.signing import SigningAuthority, sns_timestamp
from sesops.sns.verify import SnsVerifier, check_cert_url

TOPIC = "arn:aws:sns:eu-west-1:123456789012:feedback"


def test_generated_ids_differ_and_name_the_file(authority: SigningAuthority) -> None:
    other = SigningAuthority.generate(key_size=1024)
    assert authority.serial_id != other.serial_id
    assert authority.file_name == f"SimpleNotificationService-{authority.serial_id}.pem"
    check_cert_url(authority.cert_url("eu-west-1"), TOPIC)
    assert authority.cert_url("cn-north-1").startswith("https://sns.cn-north-1.amazonaws.com.cn/")


def test_certificate_window() -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    cert = SigningAuthority.generate(not_before=start, valid_days=2, key_size=1024).certificate
    assert cert.not_valid_before_utc == start
    assert cert.not_valid_after_utc == start + timedelta(days=2)


def test_cert_pem_is_one_certificate(authority: SigningAuthority, tmp_path: Path) -> None:
    path = authority.write_cert_dir(tmp_path / "pinned") / authority.file_name
    assert path.read_bytes() == authority.cert_pem
    assert len(x509.load_pem_x509_certificates(authority.cert_pem)) == 1


def test_bad_serial_id_is_refused() -> None:
    with pytest.raises(ValueError, match="letters and digits"):
        SigningAuthority.generate(serial_id="../x", key_size=1024)


def test_notification_shape(authority: SigningAuthority) -> None:
    when = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    message = authority.notification(TOPIC, "body", subject="s", message_id="m-1", timestamp=when)
    assert list(message) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "SigningCertURL",
        "Signature",
        "UnsubscribeURL",
    ]
    assert message["Timestamp"] == "2024-05-01T12:00:00.123Z"
    assert message["SigningCertURL"] == authority.cert_url("eu-west-1")


def test_sign_keeps_lambda_spelling_and_verifies(authority: SigningAuthority) -> None:
    envelope = {
        "Type": "Notification",
        "MessageId": "m",
        "TopicArn": TOPIC,
        "Subject": None,
        "Message": "x",
        "Timestamp": sns_timestamp(),
        "SigningCertUrl": "",
    }
    signed = authority.sign(envelope, version="1")
    assert "SigningCertURL" not in signed
    assert signed["SignatureVersion"] == "1"
    assert envelope["SigningCertUrl"] == ""  # the input is not modified
    SnsVerifier(fetcher=lambda url: authority.cert_pem).verify(signed)


def test_confirmation_verifies(authority: SigningAuthority) -> None:
    message = authority.subscription_confirmation(TOPIC, token="t0k3n")
    assert message["Token"] == "t0k3n"
    assert "Token=t0k3n" in message["SubscribeURL"]
    SnsVerifier(fetcher=lambda url: authority.cert_pem).verify(message)


def test_unknown_version_is_refused(authority: SigningAuthority) -> None:
    with pytest.raises(ValueError, match="version"):
        authority.notification(TOPIC, "x", version="3")
