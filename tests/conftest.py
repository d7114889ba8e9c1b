"""Shared fixtures: one user per role, the demo data, and API clients with tokens."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests import factories
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import User
from zhibiao.accounts.services import create_token
from zhibiao.directory.models import Organisation

# make_organisation and make_user live in tests.factories; modules written before it import
# them from here.
__all__ = ["client_for", "make_organisation", "make_user", "sheet_rows", "token_client"]


@pytest.fixture(autouse=True)
def _chinese(settings):
    """Pages default to Chinese; tests that want English ask for it."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def org(db) -> Organisation:
    return factories.OrganisationFactory(name="上海测试精密机械有限公司")


@pytest.fixture
def other_org(db) -> Organisation:
    return factories.OrganisationFactory(name="上海另一家电气有限公司", town="jinhui")


@pytest.fixture
def admin_user(db) -> User:
    return factories.AdminFactory()


@pytest.fixture
def expert_user(db) -> User:
    return factories.ExpertFactory()


@pytest.fixture
def enterprise_user(org) -> User:
    return factories.EnterpriseUserFactory(organisation=org)


@pytest.fixture
def chamber_user(db) -> User:
    chamber = factories.OrganisationFactory(chamber=True, name="奉贤区测试商会")
    return factories.ChamberUserFactory(organisation=chamber)


@pytest.fixture
def provider_user(db) -> User:
    lab = factories.OrganisationFactory(institution=True, name="测试检测技术有限公司")
    return factories.ProviderUserFactory(organisation=lab)


@pytest.fixture
def users(admin_user, expert_user, enterprise_user, chamber_user, provider_user) -> dict:
    """One signed-in-able user per role (the base manager comes with the demo bases)."""
    return {
        "admin": admin_user,
        "expert": expert_user,
        "enterprise": enterprise_user,
        "chamber": chamber_user,
        "provider": provider_user,
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def token_client(user: User) -> Client:
    """A client that authenticates with a bearer token, as a program would."""
    _token, key = create_token(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


@pytest.fixture
def demo(db, settings):
    """The story's demo data, loaded as `make run` loads it."""
    from zhibiao.demo.services import load_demo

    settings.DEMO_MODE = True
    return load_demo()


def sheet_rows(response) -> list[tuple]:
    """The rows of a list's xlsx export, header first. Excel leaves empty cells at a row's end
    unwritten, so each row is padded to the header's width."""
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    width = len(rows[0])
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]
