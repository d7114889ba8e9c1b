"""What the applications' tests share: the demo's people, an application started the quick way
and submitted with its evidence, one written straight into a state, the project a clause finds.
Other apps' tests that need an application import them from here."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhibiao.accounts.models import User
from zhibiao.applications import services
from zhibiao.applications.models import Application, Channel
from zhibiao.applications.services.claims import assess
from zhibiao.core.workflow import take
from zhibiao.directory.models import Organisation
from zhibiao.measures.models import Clause

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(demo, settings):
    settings.DEMO_MODE = True
    settings.PUBLICITY_WORKING_DAYS = 0
    return {
        "enterprise": User.objects.get(username="enterprise"),
        "admin": User.objects.get(username="admin"),
        "expert": User.objects.get(username="expert"),
        "xianda": Organisation.objects.get(name="上海贤达精密机械有限公司"),
    }


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def quick_application(people) -> Application:
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    return services.start_application(
        people["enterprise"], people["xianda"], clause, project=_project(people, clause)
    )


def claim_on_file(people, code: str, status: str, number: str, project: str, amount: int):
    """An application of 贤达's this year under clause `code`, written straight into `status`
    with `amount` assessed (the steps before it are not the test's subject)."""
    clause = Clause.objects.get(code=code)
    return Application.objects.create(
        number=number,
        enterprise=people["xianda"],
        clause=clause,
        version=clause.versions.published().order_by("-number").first(),
        channel=Channel.QUICK,
        status=status,
        year=timezone.localdate().year,
        project=project,
        amount_assessed=amount,
        created_by=people["enterprise"],
    )


def submit_with_evidence(people, application):
    for item in services.required_evidence(application):
        services.add_evidence(people["enterprise"], application, item, pdf())
    return take(people["enterprise"], application, "submit")


def expert_reviews(
    people, application: Application, *, score=80, recommendation="approve", comment="好"
) -> None:
    """The demo expert, assigned to `application`, submits the review."""
    services.submit_review(
        people["expert"],
        application.reviews.get(),
        score=score,
        recommendation=recommendation,
        comment=comment,
    )


def _project(people, clause):
    """The project the engine finds for 贤达 under `clause` today ("" if it names none)."""
    result, _line = assess(people["xianda"], clause, "", timezone.localdate())
    return result.lines[0].project or ""
