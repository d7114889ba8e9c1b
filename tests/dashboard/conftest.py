"""A district with activity: the demo, 300 generated enterprises, and generated applications,
events, registrations and demands spread over the years since 2023; plus one record of each
kind the generator does not make (a validity check with a superseded citation, a submitted
expert review, a local standard led), so that no figure is compared only as 0 with 0."""

import pytest
from django.utils import timezone

from zhibiao.accounts.models import User
from zhibiao.applications.models import Application, Review
from zhibiao.dashboard.synthetic import Sizes, generate_activity
from zhibiao.directory.services import generate_population
from zhibiao.measures.services import start_screening
from zhibiao.profiles.models import StandardDrafting
from zhibiao.standards.models import Check, CheckItem


@pytest.fixture
def activity(demo, admin_user, django_capture_on_commit_callbacks):
    generate_population(None, 300, seed=7)
    generate_activity(
        Sizes(applications=400, events=60, registrations=900, demands=300), admin_user, seed=11
    )
    with django_capture_on_commit_callbacks(execute=True):  # the job starts on commit
        start_screening(admin_user)  # and runs inline in the tests: JOBS_INLINE
    _one_of_each(User.objects.get(username="enterprise"), User.objects.get(username="expert"))
    return demo


def _one_of_each(enterprise_user, expert) -> None:
    check = Check.objects.create(owner=enterprise_user, name="质量手册.docx", state="done")
    CheckItem.objects.create(check_run=check, order=1, code="GB/T 19001-2008", verdict="superseded")
    application = Application.objects.exclude(status="draft").first()
    Review.objects.create(
        application=application, reviewer=expert, assigned_by=expert, score=80,
        recommendation="approve", comment="符合条件", submitted_at=timezone.now(),
    )  # fmt: skip
    StandardDrafting.objects.create(
        organisation=enterprise_user.organisation, code="DB31/T 9999-2025",
        level="local", rank=1, year=timezone.localdate().year - 1,
    )  # fmt: skip
