"""一企一档 on factory data: the summary's figures, training grouped by event (not one row per
person), the timeline folded after its latest lines, and a number of queries that does not grow
with the records. (Who may open the file is in tests/dashboard/test_pages.py, on the shared
district; these tests build their own records, so they live outside that package, whose district
would already hold the rule book they load.)"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.clients import client_for
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    StandardDraftingFactory,
    make_user,
    measures_rulebook,
)
from zhibiao.accounts.models import Role
from zhibiao.applications.models import Application
from zhibiao.dashboard import dossier
from zhibiao.events.models import Certificate, Registration
from zhibiao.jobs.models import Job
from zhibiao.measures.models import Clause, Entitlement, Screening
from zhibiao.profiles.models import AwardRecord
from zhibiao.standards.models import Declaration, DeclaredStandard
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
_phones = itertools.count(13900000000)


def _url(organisation) -> str:
    return f"/dashboard/enterprises/{organisation.pk}/"


def _event(days_ago: int, title: str):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return EventFactory(
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        registration_opens_at=starts - datetime.timedelta(days=10),
        registration_closes_at=starts,
        capacity=None,
    )


def _register(event, organisation, status: str, *, certificate: str = "") -> Registration:
    """A person of `organisation` at `event`; an attendee is checked in and, if asked, holds a
    certificate ("revoked": one that was revoked since)."""
    attended = status == "attended"
    registration = Registration.objects.create(
        event=event,
        organisation=organisation,
        name="张三",
        phone=str(next(_phones)),
        registered_by=make_user(Role.ENTERPRISE, organisation),
        status=status,
        checked_in_at=event.starts_at if attended else None,
    )
    if certificate:
        n = next(_numbers)
        Certificate.objects.create(
            registration=registration,
            number=f"C{n:06d}",
            code=f"code{n}",
            revoked_at=timezone.now() if certificate == "revoked" else None,
        )
    return registration


def _apply(organisation, code: str, status: str, assessed: int, approved: int | None = None):
    clause = Clause.objects.get(code=code)
    return Application.objects.create(
        number=f"T{next(_numbers):06d}",
        enterprise=organisation,
        clause=clause,
        version=clause.versions.filter(published_at__isnull=False).order_by("-number").first(),
        channel="quick",
        status=status,
        year=timezone.localdate().year,
        project=f"项目{next(_numbers)}",
        amount_assessed=Decimal(assessed),
        amount_approved=None if approved is None else Decimal(approved),
        created_by=make_user(Role.ENTERPRISE, organisation),
    )


def _screening(admin, as_of: datetime.date) -> Screening:
    job = Job.objects.create(task="zhibiao.measures.services.screen", title="筛查", status="done")
    return Screening.objects.create(as_of=as_of, job=job, finished_at=timezone.now())


@pytest.fixture
def enterprise(org):
    """An enterprise with a little of everything, and another one whose records must not count."""
    other = OrganisationFactory(name="上海别家机械有限公司")
    measures_rulebook()
    # Money: two entitlements in the latest screening (one older screening that no longer
    # counts), one approved application, one paid, two in progress and a draft.
    version = Clause.objects.get(code="FX23-STD-LOCAL").versions.get(number=1)
    brand = Clause.objects.get(code="FX23-BRAND").versions.get(number=1)
    old = _screening(None, datetime.date(2024, 3, 1))
    Entitlement.objects.create(screening=old, version=version, organisation=org, amount=99999)
    latest = _screening(None, datetime.date(2024, 6, 1))
    Entitlement.objects.create(screening=latest, version=version, organisation=org, amount=50000)
    Entitlement.objects.create(screening=latest, version=brand, organisation=org, amount=12500)
    Entitlement.objects.create(screening=latest, version=brand, organisation=other, amount=777)
    _apply(org, "FX23-STD-LOCAL", "approved", 50000, 30000)
    _apply(org, "FX23-STD-LOCAL", "disbursed", 50000, 20000)
    _apply(org, "FX23-BRAND", "submitted", 10000)
    _apply(org, "FX23-BRAND", "in_review", 10000)
    _apply(org, "FX23-BRAND", "draft", 10000)
    _apply(other, "FX23-BRAND", "disbursed", 10000, 10000)
    # Standards: two drafted, one of them as leading drafter; a published declaration citing
    # two standards (one twice in another declaration that is still a draft).
    StandardDraftingFactory(organisation=org, rank=1, verification="verified")
    StandardDraftingFactory(organisation=org, rank=3, verification="verified")
    published = Declaration.objects.create(
        enterprise=org, product="精密主轴", status="published", published_at=timezone.now()
    )
    draft = Declaration.objects.create(enterprise=org, product="数控刀架")
    for declaration, code in [
        (published, "GB/T 1184-1996"),
        (published, "GB/T 1804-2000"),
        (draft, "GB/T 1184-1996"),
        (draft, "GB/T 3077-2015"),
    ]:
        DeclaredStandard.objects.create(declaration=declaration, code=code)
    # Training: a course with three people (two checked in, one certificate revoked), a
    # session with one registered and one waiting, a visit whose only registration was
    # cancelled; the other enterprise's people at the course.
    course = _event(30, "标准化基础知识")
    _register(course, org, "attended", certificate="valid")
    _register(course, org, "attended", certificate="revoked")
    _register(course, org, "confirmed")
    _register(course, org, "cancelled")
    for _ in range(4):
        _register(course, other, "attended", certificate="valid")
    session = _event(10, "政策宣贯会")
    _register(session, org, "confirmed")
    _register(session, org, "waitlisted")
    visit = _event(5, "现场观摩")
    _register(visit, org, "cancelled")
    return {"org": org, "course": course, "session": session, "visit": visit}


def test_the_summary_counts_the_enterprises_own_records(enterprise, admin_user):
    org = enterprise["org"]
    response = client_for(admin_user).get(_url(org))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.screening_as_of == datetime.date(2024, 6, 1)
    assert (summary.owed, summary.owed_count) == (Decimal("62500"), 2)
    assert (summary.approved, summary.approved_count) == (Decimal("30000"), 1)
    assert (summary.paid, summary.paid_count) == (Decimal("20000"), 1)
    assert (summary.in_progress, summary.drafts) == (2, 1)
    assert (summary.drafted, summary.drafted_led) == (2, 1)
    assert (summary.declared, summary.cited) == (1, 2)
    assert (summary.events_attended, summary.events_registered) == (1, 2)
    assert summary.people_trained == 2
    assert summary.certificates == 1  # the revoked one no longer counts
    text = response.content.decode()
    assert 'id="summary"' in text
    assert text.index('id="summary"') < text.index('id="facts"')  # the summary comes first
    owed = text[text.index('data-figure="owed"') :]
    assert "<strong>62500</strong>" in owed[:200], owed[:200]


def test_training_is_one_row_per_event_with_its_counts(enterprise, enterprise_user):
    org = enterprise["org"]
    response = client_for(enterprise_user).get(_url(org))
    rows = response.context["data"]["trainings"]
    assert [(r.event_id, r.attended, r.registered) for r in rows] == [
        (enterprise["session"].pk, 0, 2),
        (enterprise["course"].pk, 2, 3),
    ]  # newest first; the visit, all cancelled, is left out
    text = response.content.decode()
    assert text.count(f'data-event="{enterprise["course"].pk}"') == 1
    assert "2 / 3" in text and "0 / 2" in text
    assert "张三" not in text  # no person-by-event rows
    training = [m for m in response.context["timeline"] if m.url.startswith("/events/")]
    assert len(training) == 2  # one moment per event in the timeline too


def test_the_timeline_shows_its_latest_lines_and_folds_the_rest(org, admin_user):
    for n in range(dossier.TIMELINE_SHOWN + 3):
        StandardDraftingFactory(organisation=org, year=2010 + n)
    response = client_for(admin_user).get(_url(org))
    assert len(response.context["timeline_latest"]) == dossier.TIMELINE_SHOWN
    assert len(response.context["timeline_earlier"]) == 3
    text = response.content.decode()
    section = text[text.index('id="timeline"') :]
    folded = section[section.index("<details") : section.index("</details>")]
    assert "open" not in folded.split(">", 1)[0]  # closed until asked
    assert folded.count("<li>") == 3
    assert "2010" in folded and str(2010 + dossier.TIMELINE_SHOWN + 2) not in folded


def test_a_short_timeline_has_nothing_to_fold(org, admin_user):
    StandardDraftingFactory(organisation=org)
    text = client_for(admin_user).get(_url(org)).content.decode()
    assert "<details" not in text[text.index('id="timeline"') :]


def test_the_wide_tables_stack_on_a_phone_with_a_label_per_cell(enterprise, admin_user):
    text = client_for(admin_user).get(_url(enterprise["org"])).content.decode()
    assert "dashboard/enterprise_file.css" in text
    applications = text[text.index("table-stack") :]
    applications = applications[: applications.index("</table>")]
    cells = applications.count("<td")
    assert cells == applications.count("data-label=") > 0


def test_the_number_of_queries_does_not_grow_with_the_records(enterprise, admin_user):
    org = enterprise["org"]
    client = client_for(admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(_url(org)).status_code == 200
        return len(context.captured_queries)

    queries()  # the first request of a session reads what later ones find cached
    few = queries()
    for days in range(40, 52):
        event = _event(days, f"课程{days}")
        for status in ("attended", "attended", "confirmed"):
            _register(event, org, status, certificate="valid" if status == "attended" else "")
    for _ in range(6):
        _apply(org, "FX23-BRAND", "disbursed", 1000, 1000)
        StandardDraftingFactory(organisation=org, rank=2)
    assert queries() == few
    assert few <= 40


def test_the_page_reads_in_a_bounded_number_of_queries(
    enterprise, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    with django_assert_max_num_queries(40):
        client.get(_url(enterprise["org"]))


def test_records_not_verified_are_marked_and_not_counted(enterprise, admin_user):
    """A record rejected as forged (or still awaiting verification) is no fact: the file still
    lists it, marked so, and its figures count only the verified ones, as the measures do."""
    org = enterprise["org"]
    forged = StandardDraftingFactory(organisation=org, rank=1, code="DB31/T 7777-2025")
    award = AwardRecord.objects.create(
        organisation=org, award="shanghai_mayor_quality_award", year=timezone.localdate().year
    )
    waiting = StandardDraftingFactory(organisation=org, rank=1, code="DB31/T 7778-2025")
    verification.reject(admin_user, "standard_drafting", forged.pk, note="伪造")
    verification.reject(admin_user, "award", award.pk, note="伪造")
    response = client_for(admin_user).get(_url(org))
    summary = response.context["summary"]
    assert (summary.drafted, summary.drafted_led) == (2, 1)  # the two verified ones
    text = response.content.decode()
    line = text[text.index(forged.code) :]
    assert "未通过" in line[: line.index("</li>")]
    line = text[text.index(waiting.code) :]
    assert "待核实" in line[: line.index("</li>")]
    records = text[text.index('id="records"') :]
    assert "上海市市长质量奖" in records and "未通过" in records[: records.index("</dl>")]
