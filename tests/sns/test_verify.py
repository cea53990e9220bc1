"""SnsVerifier and the certificate-URL rule, with real crypto and no network."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from sesops.errors import (
    CertificateError,
    CertificateUnavailable,
    InvalidCertURL,
    InvalidMessage,
    InvalidSignature,
    MessageFromFuture,
    MessageTooOld,
    TopicNotAllowed,
    UnsupportedSignatureVersion,
    VerificationError,
)
from sesops.sns import verify as verify_module
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import (
    SnsVerifier,
    canonical_string,
    check_cert_url,
    fetch_certificate,
    parse_timestamp,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:someone-else"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def authority() -> SigningAuthority:
    return SigningAuthority.generate(serial_id="0123456789abcdef", not_before=NOW - timedelta(days=30))


@pytest.fixture(scope="module")
def cert_dir(authority: SigningAuthority, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return authority.write_cert_dir(tmp_path_factory.mktemp("certs"))


class CountingFetcher:
    def __init__(self, body: bytes | Exception) -> None:
        self.body = body
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


def never_fetch(url: str) -> bytes:
    raise AssertionError(f"fetched {url}")


def make_verifier(cert_dir: Path, **kwargs: Any) -> SnsVerifier:
    kwargs.setdefault("clock", lambda: NOW)
    return SnsVerifier(cert_dir=cert_dir, fetcher=never_fetch, **kwargs)


def note(authority: SigningAuthority, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("timestamp", NOW - timedelta(minutes=1))
    return authority.notification(TOPIC, '{"notificationType":"Bounce"}', **kwargs)


# -- valid messages -----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("subject", [None, "Amazon SES Email Event Notification"])
def test_signed_notification_verifies(
    authority: SigningAuthority, cert_dir: Path, version: str, subject: str | None
) -> None:
    make_verifier(cert_dir).verify(note(authority, version=version, subject=subject))


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("unsubscribe", [False, True])
def test_confirmations_verify(
    authority: SigningAuthority, cert_dir: Path, version: str, unsubscribe: bool
) -> None:
    message = authority.subscription_confirmation(
        TOPIC, version=version, unsubscribe=unsubscribe, timestamp=NOW
    )
    make_verifier(cert_dir).verify(message)


def test_lambda_style_keys_verify(authority: SigningAuthority, cert_dir: Path) -> None:
    message = note(authority)
    message["SigningCertUrl"] = message.pop("SigningCertURL")
    message["UnsubscribeUrl"] = message.pop("UnsubscribeURL")
    message["Subject"] = None
    make_verifier(cert_dir).verify(message)


def test_china_and_govcloud_topics(authority: SigningAuthority, cert_dir: Path) -> None:
    verifier = make_verifier(cert_dir)
    for topic in (
        "arn:aws-cn:sns:cn-north-1:123456789012:t",
        "arn:aws-us-gov:sns:us-gov-west-1:123456789012:t",
    ):
        verifier.verify(authority.notification(topic, "x", timestamp=NOW))


def test_canonical_string_is_reexported_and_exact() -> None:
    message = {
        "Type": "Notification",
        "MessageId": "m",
        "TopicArn": TOPIC,
        "Subject": None,
        "Message": "hi",
        "Timestamp": "2024-05-01T12:00:00.000Z",
    }
    assert (
        canonical_string(message)
        == (
            f"Message\nhi\nMessageId\nm\nTimestamp\n2024-05-01T12:00:00.000Z\nTopicArn\n{TOPIC}\nType\nNotification\n"
        ).encode()
    )


# -- tampering and Subject rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("Message", '{"notificationType":"Complaint"}'),
        ("MessageId", "another-id"),
        ("Subject", "changed"),
        ("Timestamp", "2024-05-01T11:59:00.001Z"),
        ("TopicArn", "arn:aws:sns:us-east-1:123456789012:other"),
        ("Type", "SubscriptionConfirmation"),
    ],
)
def test_tampered_field_fails(authority: SigningAuthority, cert_dir: Path, key: str, value: str) -> None:
    message = note(authority, subject="original")
    message[key] = value
    with pytest.raises(VerificationError):
        make_verifier(cert_dir).verify(message)


@pytest.mark.parametrize("key", ["Message", "Subject", "Timestamp"])
def test_tampered_signed_text_is_invalid_signature(
    authority: SigningAuthority, cert_dir: Path, key: str
) -> None:
    message = note(authority, subject="original")
    message[key] += "x"
    with pytest.raises(InvalidSignature, match=r"^Invalid signature$"):
        make_verifier(cert_dir).verify(message)


def test_subject_null_equals_absent(authority: SigningAuthority, cert_dir: Path) -> None:
    message = note(authority)  # signed without Subject
    make_verifier(cert_dir).verify({**message, "Subject": None})
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify({**message, "Subject": ""})
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify({**message, "Subject": "added"})


def test_signed_subject_cannot_be_dropped(authority: SigningAuthority, cert_dir: Path) -> None:
    message = note(authority, subject="hello")
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify({k: v for k, v in message.items() if k != "Subject"})
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify({**message, "Subject": None})


def test_unsigned_keys_may_change(authority: SigningAuthority, cert_dir: Path) -> None:
    message = note(authority)
    message["UnsubscribeURL"] = "https://example.com/"
    message["MessageAttributes"] = {"a": {"Type": "String", "Value": "b"}}
    make_verifier(cert_dir).verify(message)


def test_signature_from_another_key_fails(authority: SigningAuthority, cert_dir: Path) -> None:
    impostor = SigningAuthority.generate(serial_id=authority.serial_id)
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify(impostor.notification(TOPIC, "x", timestamp=NOW))


def test_version_swap_fails(authority: SigningAuthority, cert_dir: Path) -> None:
    message = note(authority, version="2")
    message["SignatureVersion"] = "1"
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify(message)


# -- shape and version --------------------------------------------------------------------


@pytest.mark.parametrize("version", ["3", "", "01", " 2", 2, 1.0, None, "SHA256"])
def test_unsupported_versions(authority: SigningAuthority, cert_dir: Path, version: Any) -> None:
    message = note(authority)
    message["SignatureVersion"] = version
    with pytest.raises(UnsupportedSignatureVersion, match=r"Unsupported SignatureVersion"):
        make_verifier(cert_dir).verify(message)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Type": None}, "missing Type"),
        ({"Type": "Other"}, "unknown SNS message Type"),
        ({"Message": None}, "missing Message"),
        ({"Message": 5}, "Message must be a string"),
        ({"Subject": 5}, "Subject must be a string"),
        ({"Signature": None}, "missing Signature"),
        ({"Signature": ""}, "missing Signature"),
        ({"Signature": "not base64!"}, "Signature is not base64"),
        ({"SigningCertURL": None}, "missing SigningCertURL"),
        ({"Message": "\ud800"}, "not valid Unicode"),
        ({"TopicArn": "arn:aws:sns:us-east-1:12345:short-account"}, "Invalid TopicArn"),
    ],
)
def test_bad_shapes(authority: SigningAuthority, cert_dir: Path, change: dict[str, Any], reason: str) -> None:
    message = {**note(authority), **change}
    with pytest.raises(InvalidMessage, match=reason):
        make_verifier(cert_dir).verify(message)


@pytest.mark.parametrize("message", ["text", b"bytes", None, 5, ["list"]])
def test_non_objects_are_invalid_messages(cert_dir: Path, message: Any) -> None:
    with pytest.raises(InvalidMessage, match=r"not a JSON object"):
        make_verifier(cert_dir).verify(message)


# -- the certificate URL rule -------------------------------------------------------------

GOOD_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"

BAD_URLS = {
    "http": "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "scheme-relative": "//sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "uppercase scheme": "HTTPS://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "uppercase host": "https://SNS.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "other region": "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc.pem",
    "suffix domain": "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-abc.pem",
    "prefix domain": "https://evil.sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "glued prefix": "https://xsns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "dash host": "https://sns-us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "trailing dot": "https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc.pem",
    ".cn outside China": "https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    "port": "https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem",
    "other port": "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem",
    "userinfo": "https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "userinfo to evil": "https://sns.us-east-1.amazonaws.com@evil.com/SimpleNotificationService-abc.pem",
    "backslash authority": "https://sns.us-east-1.amazonaws.com\\@evil.com/SimpleNotificationService-abc.pem",
    "s3 bucket host": "https://sns.us-east-1.amazonaws.com.s3.amazonaws.com/SimpleNotificationService-abc.pem",
    "s3 path": "https://s3.amazonaws.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "evil host, sns path": "https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "query": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1",
    "query before path": "https://sns.us-east-1.amazonaws.com?/SimpleNotificationService-abc.pem",
    "empty query": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?",
    "fragment": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem#x",
    "fragment host": "https://sns.us-east-1.amazonaws.com#@evil.com/SimpleNotificationService-abc.pem",
    "percent slash": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc%2F..%2Fx.pem",
    "percent-encoded name": "https://sns.us-east-1.amazonaws.com/%53impleNotificationService-abc.pem",
    "sub directory": "https://sns.us-east-1.amazonaws.com/x/SimpleNotificationService-abc.pem",
    "double slash": "https://sns.us-east-1.amazonaws.com//SimpleNotificationService-abc.pem",
    "dot segment": "https://sns.us-east-1.amazonaws.com/x/../SimpleNotificationService-abc.pem",
    "trailing slash": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem/",
    "no path": "https://sns.us-east-1.amazonaws.com",
    "root path": "https://sns.us-east-1.amazonaws.com/",
    "lowercase name": "https://sns.us-east-1.amazonaws.com/simplenotificationservice-abc.pem",
    "uppercase suffix": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.PEM",
    "empty id": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-.pem",
    "dash in id": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ab-c.pem",
    "dot in id": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.b.pem",
    "non-ASCII digits": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-١٢٣.pem",
    "fullwidth letters": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ａｂｃ.pem",
    "other file": "https://sns.us-east-1.amazonaws.com/cert.pem",
    "trailing newline": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem\n",
    "leading space": " https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "tab in host": "https://sns.us-east-1.amazonaws.com\t/SimpleNotificationService-abc.pem",
    "IDN lookalike": "https://sns.us-east-1.amazonaws.сom/SimpleNotificationService-abc.pem",
    "empty": "",
}


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_cert_url_attacks_are_refused(url: str) -> None:
    with pytest.raises(InvalidCertURL, match=r"^Invalid certificate URL"):
        check_cert_url(url, TOPIC)


@pytest.mark.parametrize(
    ("url", "topic"),
    [
        (GOOD_URL, TOPIC),
        (
            "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
            "arn:aws-cn:sns:cn-north-1:123456789012:t",
        ),
        (
            "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "arn:aws-us-gov:sns:us-gov-west-1:123456789012:t",
        ),
        (
            "https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-ABC123.pem",
            "arn:aws:sns:eu-central-2:123456789012:orders.fifo",
        ),
    ],
)
def test_good_cert_urls(url: str, topic: str) -> None:
    check_cert_url(url, topic)


def test_china_region_needs_cn_host() -> None:
    with pytest.raises(InvalidCertURL, match=r"host is not sns.cn-north-1.amazonaws.com.cn"):
        check_cert_url(
            "https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "arn:aws-cn:sns:cn-north-1:123456789012:t",
        )


@pytest.mark.parametrize(
    "topic",
    [
        "arn:aws:sns:us-east-1:12345678901:t",  # 11-digit account
        "arn:aws:sns:us-east-1:123456789012:",  # no name
        "arn:aws:sns:us-east-1:123456789012:a/b",
        "arn:aws:sns:us-east-1:123456789012:t\n",
        "arn:aws:sqs:us-east-1:123456789012:t",
        "arn:aws:sns:us-east-1.evil.com:123456789012:t",
        "arn:aws:sns::123456789012:t",
        "arn:aws-cn:sns:us-east-1:123456789012:t",  # partition/region mismatch
        "arn:aws:sns:cn-north-1:123456789012:t",
        "arn:aws:sns:us-gov-west-1:123456789012:t",
        "arn:aws-iso:sns:us-iso-east-1:123456789012:t",
        "ARN:AWS:SNS:US-EAST-1:123456789012:t",
        "",
    ],
)
def test_bad_topic_arns_are_refused(topic: str) -> None:
    with pytest.raises(InvalidMessage, match=r"Invalid TopicArn"):
        check_cert_url(GOOD_URL, topic)


@pytest.mark.parametrize("url", list(BAD_URLS.values())[:8])
def test_bad_cert_url_never_fetches(authority: SigningAuthority, url: str) -> None:
    fetcher = CountingFetcher(authority.cert_pem)
    message = authority.sign(
        authority.notification(TOPIC, "x", timestamp=NOW), cert_url=url.strip() or "https://x/"
    )
    with pytest.raises(InvalidCertURL):
        SnsVerifier(fetcher=fetcher, clock=lambda: NOW).verify(message)
    assert fetcher.urls == []


# -- certificates: cache, fetcher, pinned directory, validity -------------------------------


def test_fetcher_called_once_per_url(authority: SigningAuthority) -> None:
    fetcher = CountingFetcher(authority.cert_pem)
    verifier = SnsVerifier(fetcher=fetcher, clock=lambda: NOW)
    for _ in range(3):
        verifier.verify(note(authority))
    verifier.verify(authority.notification("arn:aws:sns:eu-west-1:123456789012:t", "x", timestamp=NOW))
    assert fetcher.urls == [authority.cert_url("us-east-1"), authority.cert_url("eu-west-1")]


def test_cache_is_bounded(authority: SigningAuthority, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_module, "CACHE_SIZE", 2)
    fetcher = CountingFetcher(authority.cert_pem)
    verifier = SnsVerifier(fetcher=fetcher, clock=lambda: NOW)
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-east-1"]
    for region in regions:
        verifier.verify(authority.notification(f"arn:aws:sns:{region}:123456789012:t", "x", timestamp=NOW))
    assert len(fetcher.urls) == 4  # us-east-1 was evicted, so fetched again


def test_cache_is_thread_safe(authority: SigningAuthority) -> None:
    fetcher = CountingFetcher(authority.cert_pem)
    verifier = SnsVerifier(fetcher=fetcher, clock=lambda: NOW)
    messages = [note(authority) for _ in range(8)]
    errors: list[BaseException] = []

    def work(message: dict[str, Any]) -> None:
        try:
            for _ in range(20):
                verifier.verify(message)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert 1 <= len(fetcher.urls) <= len(threads)


@pytest.mark.parametrize(
    "error", [OSError("boom"), TimeoutError(), RuntimeError("x"), urllib3.exceptions.HTTPError()]
)
def test_fetcher_failure_is_unavailable_and_remembered_briefly(
    authority: SigningAuthority, error: Exception
) -> None:
    fetcher = CountingFetcher(error)
    verifier = SnsVerifier(fetcher=fetcher, clock=lambda: NOW, failure_ttl=0.3)
    with pytest.raises(CertificateUnavailable, match=r"^Certificate unavailable"):
        verifier.verify(note(authority))
    fetcher.body = authority.cert_pem
    with pytest.raises(CertificateUnavailable, match=r"not retried yet"):
        verifier.verify(note(authority))  # answered from memory: no second fetch
    assert len(fetcher.urls) == 1
    time.sleep(0.35)
    verifier.verify(note(authority))
    assert len(fetcher.urls) == 2


def _ec_cert_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize(
    ("make_body", "reason"),
    [
        (lambda a: a.cert_pem + a.cert_pem, "not exactly one PEM certificate"),
        (lambda a: b"junk", "not exactly one PEM certificate"),
        (lambda a: b"", "not exactly one PEM certificate"),
        (lambda a: b"<html>" + a.cert_pem, "not exactly one PEM certificate"),
        (lambda a: a.cert_pem.replace(b"M", b"A", 3), "unparsable PEM"),
        (
            lambda a: a.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            "not exactly one PEM certificate",
        ),
        (lambda a: _ec_cert_pem(), "key is not RSA"),
    ],
    ids=["two PEMs", "junk", "empty", "html prefix", "corrupt", "private key", "EC key"],
)
def test_bad_certificate_bodies(
    authority: SigningAuthority, make_body: Callable[[SigningAuthority], bytes], reason: str
) -> None:
    verifier = SnsVerifier(fetcher=CountingFetcher(make_body(authority)), clock=lambda: NOW)
    with pytest.raises(CertificateError, match=reason):
        verifier.verify(note(authority))


def test_pem_with_surrounding_whitespace_is_fine(authority: SigningAuthority) -> None:
    verifier = SnsVerifier(fetcher=CountingFetcher(b"\n" + authority.cert_pem + b"\r\n"), clock=lambda: NOW)
    verifier.verify(note(authority))


def test_cert_dir_never_fetches_and_names_missing_file(authority: SigningAuthority, tmp_path: Path) -> None:
    verifier = SnsVerifier(cert_dir=tmp_path, fetcher=never_fetch, clock=lambda: NOW)
    with pytest.raises(CertificateUnavailable) as info:
        verifier.verify(note(authority))
    assert str(info.value) == f"certificate {authority.file_name} is not in the pinned directory {tmp_path}"
    authority.write_cert_dir(tmp_path)  # a later retry sees the newly pinned file
    verifier.verify(note(authority))


def test_cert_dir_lookup_uses_file_name_only(authority: SigningAuthority, tmp_path: Path) -> None:
    authority.write_cert_dir(tmp_path)
    verifier = SnsVerifier(cert_dir=tmp_path, fetcher=never_fetch, clock=lambda: NOW)
    verifier.verify(authority.notification("arn:aws:sns:ap-south-1:123456789012:t", "x", timestamp=NOW))


@pytest.mark.parametrize(
    ("clock", "reason"),
    [
        (NOW - timedelta(days=31), "Certificate not valid before"),
        (NOW + timedelta(days=400), "Certificate expired at"),
    ],
)
def test_certificate_validity_uses_clock(
    authority: SigningAuthority, cert_dir: Path, clock: datetime, reason: str
) -> None:
    message = note(authority)
    with pytest.raises(CertificateError, match=reason):
        make_verifier(cert_dir, clock=lambda: clock).verify(message)
    make_verifier(cert_dir, clock=lambda: clock, allow_expired=True).verify(message)


def test_naive_clock_is_taken_as_utc(authority: SigningAuthority, cert_dir: Path) -> None:
    make_verifier(cert_dir, clock=lambda: NOW.replace(tzinfo=None)).verify(note(authority))


# -- topic allowlist and message age ------------------------------------------------------


def test_topic_allowlist(authority: SigningAuthority) -> None:
    fetcher = CountingFetcher(authority.cert_pem)
    verifier = SnsVerifier(fetcher=fetcher, clock=lambda: NOW, allowed_topics=[TOPIC])
    verifier.verify(note(authority))
    foreign = authority.notification(OTHER_TOPIC, "x", timestamp=NOW)
    foreign["SigningCertURL"] = foreign["SigningCertURL"].replace("0123", "9999")
    with pytest.raises(TopicNotAllowed, match=f"^Topic not allowed: {OTHER_TOPIC}$"):
        verifier.verify(foreign)
    assert fetcher.urls == [authority.cert_url("us-east-1")]  # the foreign topic caused no fetch


@pytest.mark.parametrize(
    ("sent", "max_age", "ok"),
    [
        (NOW - timedelta(minutes=10), 3600, True),
        (NOW - timedelta(minutes=10), 60, False),
        (NOW - timedelta(minutes=10), timedelta(minutes=10), True),
        (NOW + timedelta(minutes=5), 60, True),  # clock skew: a future Timestamp is not "old"
    ],
)
def test_max_age(
    authority: SigningAuthority, cert_dir: Path, sent: datetime, max_age: float | timedelta, ok: bool
) -> None:
    verifier = make_verifier(cert_dir, max_age=max_age)
    message = note(authority, timestamp=sent)
    if ok:
        verifier.verify(message)
    else:
        with pytest.raises(MessageTooOld, match=r"^Message too old: sent 2024-05-01T11:50:00.000Z$"):
            verifier.verify(message)


@pytest.mark.parametrize(
    ("sent", "error", "reason"),
    [
        (NOW - timedelta(hours=3), MessageTooOld, "Message too old"),
        (NOW - timedelta(days=3000), MessageTooOld, "Message too old"),
        (NOW + timedelta(minutes=6), MessageFromFuture, "Message from the future"),
        (NOW + timedelta(days=27000), MessageFromFuture, "Message from the future"),
        ("yesterday", InvalidMessage, "Invalid Timestamp"),
        ("2024-05-01T12:00:00+00:00", InvalidMessage, "Invalid Timestamp"),
    ],
)
def test_age_window_refuses_before_any_fetch(
    authority: SigningAuthority, sent: datetime | str, error: type[Exception], reason: str
) -> None:
    verifier = SnsVerifier(fetcher=never_fetch, clock=lambda: NOW, max_age=timedelta(hours=2))
    with pytest.raises(error, match=reason):
        verifier.verify(note(authority, timestamp=sent))


def test_clock_skew_is_configurable(authority: SigningAuthority, cert_dir: Path) -> None:
    ahead = note(authority, timestamp=NOW + timedelta(seconds=90))
    make_verifier(cert_dir, max_age=60).verify(ahead)  # within the default five minutes
    with pytest.raises(MessageFromFuture):
        make_verifier(cert_dir, max_age=60, max_skew=60).verify(ahead)


def test_unparsable_timestamp_only_matters_with_max_age(authority: SigningAuthority, cert_dir: Path) -> None:
    message = note(authority, timestamp="yesterday")
    make_verifier(cert_dir).verify(message)
    with pytest.raises(InvalidMessage, match=r"^Invalid Timestamp$"):
        make_verifier(cert_dir, max_age=60).verify(message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:00:00.123Z", datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)),
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01T12:00:00.123456Z", datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01 12:00:00Z",
        "2024-05-01T12:00:00",
        "2024-05-01T12:00:00+00:00",
        "2024-13-01T12:00:00Z",
        "2024-02-30T12:00:00Z",
        "2024-05-01T12:00:00.1234567Z",
        "2024-05-01T12:00:00.Z",
        "２０２４-05-01T12:00:00Z",
        "2024-05-01T12:00:00Z\n",
    ],
)
def test_parse_timestamp_is_strict(text: str) -> None:
    with pytest.raises(InvalidMessage, match=r"^Invalid Timestamp$"):
        parse_timestamp(text)


# -- properties ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
SNS_KEYS = [
    "Type",
    "Message",
    "MessageId",
    "Subject",
    "Timestamp",
    "TopicArn",
    "Token",
    "SubscribeURL",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "SigningCertUrl",
]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(SNS_KEYS) | st.text(max_size=5), json_values | st.text(), max_size=14
        ),
    )
)
def test_arbitrary_input_raises_only_verification_errors(cert_dir: Path, value: Any) -> None:
    with contextlib.suppress(VerificationError):
        make_verifier(cert_dir).verify(value)


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]),
    value=st.text(max_size=30),
)
def test_mutated_signed_message_never_verifies(
    authority: SigningAuthority, cert_dir: Path, key: str, value: str
) -> None:
    message = note(authority, subject="s", message_id="id")
    if message[key] == value:
        return
    message[key] = value
    with pytest.raises(VerificationError):
        make_verifier(cert_dir).verify(message)


@settings(max_examples=100, deadline=None)
@given(position=st.integers(min_value=0, max_value=255), flip=st.integers(min_value=1, max_value=255))
def test_flipped_signature_byte_never_verifies(
    authority: SigningAuthority, cert_dir: Path, position: int, flip: int
) -> None:
    import base64

    message = note(authority)
    raw = bytearray(base64.b64decode(message["Signature"]))
    raw[position] ^= flip
    message["Signature"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidSignature):
        make_verifier(cert_dir).verify(message)


# -- the default fetcher's HTTP part, against a local server ------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    pem = b""

    def do_GET(self) -> None:
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/ok.pem": (200, {}, self.pem),
            "/big.pem": (200, {}, b"x" * 70_000),
            "/exact.pem": (200, {}, b"y" * 1000),
            "/redirect.pem": (302, {"Location": "/ok.pem"}, b""),
            "/missing.pem": (404, {}, b"not found"),
            "/error.pem": (503, {}, b"busy"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def local_server(authority: SigningAuthority) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"pem": authority.cert_pem})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def pool() -> Iterator[urllib3.PoolManager]:
    manager = urllib3.PoolManager()
    yield manager
    manager.clear()


def test_fetch_returns_body(
    local_server: str, pool: urllib3.PoolManager, authority: SigningAuthority
) -> None:
    assert fetch_certificate(f"{local_server}/ok.pem", pool=pool) == authority.cert_pem


def test_fetch_caps_size(local_server: str, pool: urllib3.PoolManager) -> None:
    with pytest.raises(CertificateError, match=r"larger than 65536 bytes"):
        fetch_certificate(f"{local_server}/big.pem", pool=pool)
    assert fetch_certificate(f"{local_server}/exact.pem", pool=pool, max_bytes=1000) == b"y" * 1000
    with pytest.raises(CertificateError, match=r"larger than 999 bytes"):
        fetch_certificate(f"{local_server}/exact.pem", pool=pool, max_bytes=999)


@pytest.mark.parametrize(
    ("path", "status"), [("/redirect.pem", 302), ("/missing.pem", 404), ("/error.pem", 503)]
)
def test_fetch_refuses_redirects_and_errors(
    local_server: str, pool: urllib3.PoolManager, path: str, status: int
) -> None:
    with pytest.raises(CertificateUnavailable, match=f"^Certificate unavailable: HTTP {status}$"):
        fetch_certificate(f"{local_server}{path}", pool=pool)


def test_fetch_network_error_is_unavailable(pool: urllib3.PoolManager) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CertificateUnavailable, match=r"^Certificate unavailable"):
        fetch_certificate(f"http://127.0.0.1:{port}/ok.pem", pool=pool, timeout=1)


def test_fetch_times_out(pool: urllib3.PoolManager) -> None:
    with socket.socket() as sock:  # accepts the connection (backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        with pytest.raises(CertificateUnavailable, match=r"^Certificate unavailable"):
            fetch_certificate(f"http://127.0.0.1:{port}/ok.pem", pool=pool, timeout=0.2)


def test_verifier_with_default_fetcher_through_local_server(
    local_server: str, pool: urllib3.PoolManager, authority: SigningAuthority
) -> None:
    # The URL rule forbids a local URL, so map the SNS URL onto the local server explicitly.
    def via_local(url: str) -> bytes:
        return fetch_certificate(f"{local_server}/ok.pem", pool=pool)

    SnsVerifier(fetcher=via_local, clock=lambda: NOW).verify(note(authority))


@settings(max_examples=500, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(GOOD_URL)),
    insert=st.text(alphabet=st.sampled_from(list(":/@?#%.\\-_ \t\nAaZz09.éＡ")), min_size=1, max_size=4),
    cut=st.integers(min_value=0, max_value=3),
)
def test_accepted_urls_mean_the_same_to_urllib3(position: int, insert: str, cut: int) -> None:
    """Whatever the rule accepts, the fetcher's URL parser reads as exactly the SNS host and file."""
    url = GOOD_URL[:position] + insert + GOOD_URL[position + cut :]
    try:
        check_cert_url(url, TOPIC)
    except InvalidCertURL:
        return
    parsed = urllib3.util.parse_url(url)
    assert (parsed.scheme, parsed.auth, parsed.host, parsed.port) == (
        "https",
        None,
        "sns.us-east-1.amazonaws.com",
        None,
    )
    assert (parsed.query, parsed.fragment) == (None, None)
    assert parsed.path is not None and parsed.path.startswith("/SimpleNotificationService-")
    assert parsed.path.endswith(".pem") and parsed.path.count("/") == 1
