"""Notebook capture: re-running cells reopens the store and rebinds the receiver's port."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sesops.errors import SesopsError
from sesops.notebook.capture import open_store, start_receiver, stop_capture, wait_for_store
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
MESSAGE = json.dumps(
    {
        "notificationType": "Delivery",
        "mail": {"messageId": "m1"},
        "delivery": {"recipients": ["a@example.com"]},
    }
)


@pytest.fixture(autouse=True)
def _stop_everything() -> Iterator[None]:
    yield
    stop_capture()


def _post(url: str, envelope: dict[str, object]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(envelope).encode(), headers={"x-amz-sns-message-type": "Notification"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


@pytest.mark.timeout(60)
def test_rerun_rebinds_the_port_and_stores_verified_messages(tmp_path: Path) -> None:
    authority = SigningAuthority.generate()
    verifier = SnsVerifier(cert_dir=authority.write_cert_dir(tmp_path / "certs"), allowed_topics=[TOPIC])
    session = boto3.Session(region_name="us-east-1")
    store = open_store(tmp_path / "out" / "capture.sqlite")  # the folder is made
    first = start_receiver(store, verifier, session)
    assert first.running and first.url == f"http://127.0.0.1:{first.port}/sns"

    store = open_store(tmp_path / "out" / "capture.sqlite")  # the cell runs again: closes the old one
    assert not first.running
    second = start_receiver(store, verifier, session)
    assert second.port == first.port  # the HTTP subscription made for the first still reaches it
    assert _post(second.url, authority.notification(TOPIC, MESSAGE, message_id="n-1")) == 200
    counts = wait_for_store(store, lambda c: c.messages >= 1, timeout=10)
    assert (counts.messages, counts.verified) == (1, 1)

    fresh = open_store(tmp_path / "out" / "capture.sqlite", fresh=True)
    assert not second.running and fresh.counts().messages == 0


def test_wait_for_store_says_what_is_missing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.sqlite")
    with pytest.raises(SesopsError, match=r"c.sqlite still lacks 3 notifications after 0 s"):
        wait_for_store(store, lambda c: c.messages >= 3, timeout=0.01, what="3 notifications")
