"""The ``stubs`` fixture: Stubbers on the clients sesops.aws will use (see tests/aws/stubbing.py);
``mock``: a session on moto in this process (the root conftest already gives dummy credentials)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from sesops.sandbox.server import dummy_session as sandbox_session
from sesops.sandbox.server import mocked
from tests.aws.stubbing import Stubs, dummy_session


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    stubbed = Stubs(dummy_session())
    yield stubbed
    stubbed.close()


@pytest.fixture
def mock() -> Iterator[boto3.Session]:
    with mocked():
        yield sandbox_session()
