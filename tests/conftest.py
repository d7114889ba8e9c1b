"""Shared fixtures: organisations and one user per role (built by tests.factories), and the demo
story for the tests whose subject it is."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories
from zhibiao.accounts.models import User
from zhibiao.directory.models import Organisation


@pytest.fixture(autouse=True)
def _chinese(settings):
    """Pages default to Chinese; tests that want English ask for it."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty shared cache: the figures, postings and sessions kept
    there describe the previous test's rolled-back rows."""
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def demo(db, settings):
    """The story's demo data, loaded as `make run` loads it (once per process and starting
    state, then written back: tests/snapshot.py)."""
    from tests.snapshot import replay
    from zhibiao.demo.services import load_demo

    settings.DEMO_MODE = True
    return replay(load_demo)


@pytest.fixture
def industries(transactional_db):
    """Tests that commit (threads, a live server) flush the database afterwards, taking the
    GB/T 4754 rows a migration loaded; put them back for the organisations made here."""
    from zhibiao.directory.models import Industry
    from zhibiao.directory.reference import sync_industries

    if not Industry.objects.exists():
        sync_industries(Industry)
