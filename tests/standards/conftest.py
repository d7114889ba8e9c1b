"""Fixtures of the standards tests: a small catalogue (tests.factories), the real one, private
files in tmp, a leader evaluation with its indicators and a way to enter it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

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


#: A leader evaluation's indicators: one basic, three graded core ones, one innovation claim.
INDICATORS = [
    {"name": "安全", "kind": "basic"},
    {
        "name": "承重",
        "kind": "core",
        "unit": "kg",
        "direction": "higher",
        "threshold": Decimal(100),
    },
    {"name": "精度", "kind": "core", "unit": "%", "direction": "lower", "threshold": Decimal(5)},
    {"name": "噪声", "kind": "core", "unit": "dB", "direction": "lower", "threshold": Decimal(70)},
    {"name": "联动", "kind": "innovation"},
]


@pytest.fixture
def scheme(admin_user):
    """A treadmill evaluation of 2023 with the INDICATORS, naming one leader."""
    return services.create_scheme(
        admin_user,
        {"product_category": "跑步机", "year": 2023, "title": "2023 跑步机", "leader_count": 1},
        INDICATORS,
    )


def enter(user, scheme, product, values):
    """Enter a product with one value per indicator, in the indicators' order."""
    ids = [i.pk for i in scheme.indicators.all()]
    return services.enter_scheme(user, scheme, product, dict(zip(ids, values, strict=True)))


def verify_entries(scheme, staff):
    """District staff verify every entry's values (as the queue does), so that they are ranked."""
    from zhibiao.verification import services as verification

    for entry in scheme.entries.all():
        verification.verify(staff, "leader_entry", entry.pk)


#: A declaration citing a standard the small catalogue has as withdrawn (GB 19272-2024 replaces it).
WITHDRAWN = {"product": "跑步机", "standards": "GB 19272-2011", "statement": "声明"}


def edit_url(declaration) -> str:
    return reverse("standards:declaration_edit", args=[declaration.pk])


def shown_revision(client, url: str) -> str:
    """The revision an edit page shows in its hidden field, as the browser would post it."""
    page = client.get(url).content.decode()
    return re.search(r'name="revision" value="(\d+)"', page).group(1)
