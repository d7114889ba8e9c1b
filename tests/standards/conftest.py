"""Fixtures of the standards tests: a small catalogue (tests.factories), the real one, private
files in tmp."""

from __future__ import annotations

import pytest

from tests.factories import import_small_catalogue
from zhibiao.standards import services


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def small_catalogue(db):
    return import_small_catalogue()


@pytest.fixture
def real_catalogue(db):
    return services.load_shipped_catalogue()
