"""Shared fixtures: one user per role, the demo data, and API clients with tokens."""

from __future__ import annotations

import io
import random

import pytest
from django.test import Client

from zhibiao.accounts.models import Role, User
from zhibiao.accounts.services import create_token
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation


@pytest.fixture(autouse=True)
def _chinese(settings):
    """Pages default to Chinese; tests that want English ask for it."""
    settings.LANGUAGE_CODE = "zh-hans"


_rng = random.Random(20230527)


def make_organisation(**values) -> Organisation:
    defaults = {
        "kind": "enterprise",
        "name": f"测试企业{_rng.randrange(10**6)}有限公司",
        "uscc": uscc.generate(_rng),
        "town": "nanqiao",
        "ownership": "private",
        "industry": "C2411",
    }
    defaults.update(values)
    organisation = Organisation(**defaults)
    organisation.full_clean()
    organisation.save()
    return organisation


def make_user(role: str, organisation: Organisation | None = None, **values) -> User:
    if organisation is None and role not in (Role.ADMIN, Role.EXPERT):
        organisation = make_organisation()
    user = User(
        username=values.pop("username", f"{role}-{_rng.randrange(10**8)}"),
        role=role,
        organisation=organisation,
        **values,
    )
    user.set_password("pw")
    user.save()
    return user


@pytest.fixture
def org(db) -> Organisation:
    return make_organisation(name="上海测试精密机械有限公司")


@pytest.fixture
def other_org(db) -> Organisation:
    return make_organisation(name="上海另一家电气有限公司", town="jinhui")


@pytest.fixture
def admin_user(db) -> User:
    return make_user(Role.ADMIN, is_staff=True)


@pytest.fixture
def expert_user(db) -> User:
    return make_user(Role.EXPERT)


@pytest.fixture
def enterprise_user(org) -> User:
    return make_user(Role.ENTERPRISE, org)


@pytest.fixture
def chamber_user(db) -> User:
    chamber = make_organisation(kind="chamber", name="奉贤区测试商会", ownership="", industry="")
    return make_user(Role.CHAMBER, chamber)


@pytest.fixture
def provider_user(db) -> User:
    lab = make_organisation(kind="institution", name="测试检测技术有限公司", industry="M7452")
    return make_user(Role.PROVIDER, lab)


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
