"""Fixtures for the module_utils tests: fake APIs on 127.0.0.1 and TLS material."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_apis import FakeApis, TlsFiles


@pytest.fixture
def fake_apis() -> Iterator[FakeApis]:
    """Fake Alertmanagers and Prometheus servers, stopped when the test ends."""
    with FakeApis() as apis:
        yield apis


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A test CA with a server certificate for 127.0.0.1 and a client certificate."""
    return TlsFiles(tmp_path_factory.mktemp("tls"))
