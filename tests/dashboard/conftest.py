"""A district with activity: the demo, 300 generated enterprises, and generated applications,
events, registrations and demands spread over the years since 2023; plus one record of each
kind the generator does not make (a validity check with a superseded citation, a submitted
expert review, a local standard led), so that no figure is compared only as 0 with 0.

The district takes seconds to build and the tests only read it (what a test writes is rolled
back with the test), so it is built once for the package, inside a transaction rolled back
after its last test, so that no other package sees it. Once a test has asked for it, every
later test of the package sees it: a test that needs the bare demo belongs elsewhere
(tests/demo, tests/measures), and asking for `demo` here fails to say so."""

import pytest
from django.db import transaction
from django.test import TestCase
from django.test.utils import override_settings
from django.utils import timezone

from tests.factories import AdminFactory, StandardDraftingFactory
from zhibiao.accounts.models import User
from zhibiao.applications.models import Application, Review
from zhibiao.dashboard.synthetic import Sizes, generate_activity
from zhibiao.directory.services import generate_population
from zhibiao.measures.services import start_screening
from zhibiao.standards.models import Check, CheckItem


@pytest.fixture(scope="package")
def district(django_db_setup, django_db_blocker):
    from zhibiao.demo.services import load_demo

    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        demo = load_demo()
        admin = AdminFactory()
        generate_population(None, 300, seed=7)
        generate_activity(
            Sizes(applications=400, events=60, registrations=900, demands=300), admin, seed=11
        )
        with TestCase.captureOnCommitCallbacks(execute=True):  # the job starts on commit
            start_screening(admin)  # and runs inline in the tests: JOBS_MODE
        _one_of_each(User.objects.get(username="enterprise"), User.objects.get(username="expert"))
        yield demo
        transaction.set_rollback(True)


@pytest.fixture
def activity(district, db, settings):
    """The district, for a test that may write to it (rolled back after the test)."""
    settings.DEMO_MODE = True
    return district


@pytest.fixture
def demo():
    pytest.fail(
        "tests/dashboard share one district (`activity`, with the demo in it); a test of the "
        "bare demo would see the district: put it in tests/demo or where its subject lives"
    )


def _one_of_each(enterprise_user, expert) -> None:
    check = Check.objects.create(owner=enterprise_user, name="质量手册.docx", state="done")
    CheckItem.objects.create(check_run=check, order=1, code="GB/T 19001-2008", verdict="superseded")
    application = Application.objects.exclude(status="draft").first()
    Review.objects.create(
        application=application, reviewer=expert, assigned_by=expert, score=80,
        recommendation="approve", comment="符合条件", submitted_at=timezone.now(),
    )  # fmt: skip
    StandardDraftingFactory(  # verified: the figures count verified records only
        organisation=enterprise_user.organisation,
        code="DB31/T 9999-2025",
        verification="verified",
        checked_by=expert,
    )
