"""The ``stubs`` fixture: Stubbers on the clients sesops.aws will use (see tests/aws/stubbing.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.aws.stubbing import Stubs, dummy_session


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    stubbed = Stubs(dummy_session())
    yield stubbed
    stubbed.close()
