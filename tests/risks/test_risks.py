"""The staff view of risk (issue 10): what each list flags and what it must leave alone, and who
may see it in pages and the API."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import make_organisation, make_user, measures_rulebook
from zhibiao.accounts.models import Role
from zhibiao.applications.models import Application, Evidence
from zhibiao.bases.models import Batch, TrainingBase
from zhibiao.events.models import Event, Registration
from zhibiao.jobs.models import Job
from zhibiao.measures.models import Clause, Entitlement, Screening
from zhibiao.profiles.models import StandardDrafting, TaxRecord
from zhibiao.risks import services

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


@pytest.fixture
def measures(admin_user):
    """The stand-in measures as a rule book, without the rest of the demo."""
    return measures_rulebook().document


def apply(enterprise, code: str, *, project: str = "", status: str = "submitted", year=2024):
    clause = Clause.objects.get(code=code)
    version = clause.versions.filter(published_at__isnull=False).order_by("-number").first()
    return Application.objects.create(
        number=f"T{next(_numbers):06d}",
        enterprise=enterprise,
        clause=clause,
        version=version,
        channel="quick",
        status=status,
        year=year,
        project=project,
        amount_assessed=Decimal("50000"),
        created_by=make_user(Role.ENTERPRISE, enterprise),
    )


def drafted(enterprise, code: str, recorder, **values) -> StandardDrafting:
    values = {"level": "local", "rank": 1, "year": 2024, **values}
    return StandardDrafting.objects.create(
        organisation=enterprise, code=code, recorded_by=recorder, **values
    )


def flagged(admin, **match) -> list[services.FactRisk]:
    return [
        row
        for row in services.fact_risks(admin)
        if all(getattr(row, key) == value for key, value in match.items())
    ]


# --- (a) money on facts the beneficiary's side recorded -----------------------------------------


def test_an_application_on_a_standard_its_enterprise_recorded_is_flagged(measures, admin_user):
    enterprise = make_organisation()
    own = make_user(Role.ENTERPRISE, enterprise, first_name="小明", last_name="王")
    drafted(enterprise, "DB31/T 9001-2024", own)
    application = apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9001-2024")

    (row,) = flagged(admin_user, enterprise_id=enterprise.pk)
    assert row.application_id == application.pk and row.clause == "FX23-STD-LOCAL"
    assert row.amount == Decimal("50000")
    assert row.url == reverse("applications:detail", args=[application.pk])
    assert row.file_url == f"/dashboard/enterprises/{enterprise.pk}/"
    (record,) = row.records
    assert record.fact == "standards" and "DB31/T 9001-2024" in record.label
    assert record.recorded_by == "小明 王" and record.recorder_organisation == enterprise.name
    assert record.verification == "pending"


def test_staff_records_and_other_projects_are_not_flagged(measures, admin_user):
    enterprise = make_organisation()
    own = make_user(Role.ENTERPRISE, enterprise)
    drafted(enterprise, "DB31/T 9002-2024", admin_user)  # district staff: independent
    drafted(enterprise, "DB31/T 9003-2024", own)
    drafted(enterprise, "DB31/T 9004-2024", None)  # recorder unknown: before provenance
    apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9002-2024")
    apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9004-2024")
    apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9003-2024", status="withdrawn")
    other = make_organisation()
    drafted(other, "DB31/T 9005-2024", make_user(Role.ENTERPRISE, enterprise))  # not its side
    apply(other, "FX23-STD-LOCAL", project="DB31/T 9005-2024")

    assert flagged(admin_user, enterprise_id=enterprise.pk) == []
    assert flagged(admin_user, enterprise_id=other.pk) == []


def test_a_condition_fact_flags_every_clause_that_reads_it(measures, admin_user):
    """Tax paid is read by the general conditions: a self-recorded tax record flags lines of
    clauses whatever their project."""
    enterprise = make_organisation()
    TaxRecord.objects.create(
        organisation=enterprise,
        year=2023,
        amount=Decimal("100000"),
        recorded_by=make_user(Role.BASE_MANAGER, enterprise),
    )
    apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9006-2024")

    (row,) = flagged(admin_user, enterprise_id=enterprise.pk)
    assert [record.fact for record in row.records] == ["tax_paid_district"]


def test_an_entitlement_of_the_latest_screening_is_flagged(measures, admin_user):
    enterprise = make_organisation()
    drafted(enterprise, "DB31/T 9007-2024", make_user(Role.ENTERPRISE, enterprise))
    version = Clause.objects.get(code="FX23-STD-LOCAL").versions.get(number=1)
    old = _screening(admin_user, datetime.date(2024, 3, 1))
    latest = _screening(admin_user, datetime.date(2024, 6, 1))
    for screening in (old, latest):
        Entitlement.objects.create(
            screening=screening, version=version, organisation=enterprise, amount=50000
        )

    (row,) = flagged(admin_user, enterprise_id=enterprise.pk)
    assert row.source == "entitlement" and row.application_id is None
    assert row.url == f"/dashboard/enterprises/{enterprise.pk}/"
    assert "2024-06-01" in row.status


def test_a_group_standard_its_chamber_recorded_is_flagged(measures, admin_user, chamber_user):
    from zhibiao.standards.models import GroupStandard
    from zhibiao.standards.services import publish_group_standard

    enterprise = make_organisation()
    group = publish_group_standard(
        chamber_user,
        {
            "code": "T/FXCC 001-2024",
            "title": "测试团体标准",
            "published_on": datetime.date(2024, 3, 1),
            "drafters": [enterprise],
        },
    )
    GroupStandard.objects.filter(pk=group.pk).update(recorded_by=chamber_user)
    apply(enterprise, "FX23-STD-GROUP", project="T/FXCC 001-2024")

    (row,) = flagged(admin_user, enterprise_id=enterprise.pk)
    (record,) = row.records
    assert record.label == "T/FXCC 001-2024"
    assert record.recorder_organisation == chamber_user.organisation.name

    GroupStandard.objects.filter(pk=group.pk).update(recorded_by=admin_user)
    assert flagged(admin_user, enterprise_id=enterprise.pk) == []


def test_a_leader_entry_rests_on_the_enterprises_own_values(measures, admin_user):
    from tests.standards.conftest import INDICATORS, enter
    from zhibiao.standards import services as standards
    from zhibiao.verification import services as verification

    enterprise = make_organisation()
    own = make_user(Role.ENTERPRISE, enterprise)
    scheme = standards.create_scheme(
        admin_user, {"product_category": "跑步机", "year": 2024, "title": "跑步机"}, INDICATORS
    )
    entry = enter(own, scheme, "X1", [True, 150, 3, 60, ""])
    verification.verify(admin_user, "leader_entry", entry.pk)
    apply(enterprise, "FX23-LEADER", project="跑步机")

    (row,) = flagged(admin_user, enterprise_id=enterprise.pk)
    (record,) = row.records
    assert record.fact == "leaders" and record.label == "跑步机 2024 · X1"
    assert record.recorder_organisation == enterprise.name and record.verification == "verified"


def test_courses_rest_on_the_host(measures, admin_user):
    batch = Batch.objects.create(number=1, designated_on=datetime.date(2023, 7, 24))
    base = TrainingBase.objects.create(organisation=make_organisation(), batch=batch)
    manager = make_user(Role.BASE_MANAGER, base.organisation)
    starts = timezone.make_aware(datetime.datetime(2023, 9, 1, 9))
    _event(base=base, starts_at=starts, created_by=manager, title="标准化实务课程")
    apply(base.organisation, "FX23-BASE-COURSE", year=2023)
    apply(base.organisation, "FX23-BASE-COURSE", year=2024)  # no course that year

    (row,) = flagged(admin_user, enterprise_id=base.organisation.pk)
    assert row.year == 2023
    (record,) = row.records
    assert record.fact == "courses" and "标准化实务课程" in record.label
    assert record.verification == ""


def test_only_staff_compute_the_risks(enterprise_user, expert_user):
    for user in (enterprise_user, expert_user):
        for compute in (services.fact_risks, services.shared_files, services.shared_phones):
            with pytest.raises(PermissionDenied):
                compute(user)


# --- (b) one file in applications of different enterprises ---------------------------------------


def _evidence(application, sha: str, *, name="营业执照.pdf", item="证明材料", **values):
    return Evidence.objects.create(
        application=application,
        item=item,
        file=f"evidence/2024/01/{next(_numbers)}.pdf",
        original_name=name,
        content_type="pdf",
        size=100,
        sha256=sha,
        uploaded_by=application.created_by,
        **values,
    )


def test_a_file_in_two_enterprises_applications_is_flagged(measures, admin_user):
    first, second = make_organisation(), make_organisation()
    a = apply(first, "FX23-STD-LOCAL", project="DB31/T 9101-2024")
    b = apply(second, "FX23-STD-LOCAL", project="DB31/T 9102-2024")
    _evidence(a, "a" * 64, name="检测报告.pdf")
    _evidence(b, "a" * 64, name="报告副本.pdf")

    (group,) = [g for g in services.shared_files(admin_user) if g.sha256 == "a" * 64]
    assert group.enterprises == 2
    assert {use.application_id for use in group.uses} == {a.pk, b.pk}
    assert group.file_names == ["报告副本.pdf", "检测报告.pdf"]


def test_own_reuse_replaced_files_and_withdrawn_applications_are_not_flagged(measures, admin_user):
    first, second, third = make_organisation(), make_organisation(), make_organisation()
    a1 = apply(first, "FX23-STD-LOCAL", project="DB31/T 9201-2024")
    a2 = apply(first, "FX23-STD-LOCAL", project="DB31/T 9202-2024")
    _evidence(a1, "b" * 64)
    _evidence(a2, "b" * 64)  # one enterprise, its own file twice
    b = apply(second, "FX23-STD-LOCAL", project="DB31/T 9203-2024")
    newer = _evidence(b, "d" * 64)
    _evidence(b, "b" * 64, superseded_by=newer)  # replaced: no longer relied on
    c = apply(third, "FX23-STD-LOCAL", project="DB31/T 9204-2024", status="withdrawn")
    _evidence(c, "b" * 64)

    assert [g for g in services.shared_files(admin_user) if g.sha256 == "b" * 64] == []


# --- (c) one person registered by several organisations ----------------------------------------


def _event(**values) -> Event:
    base = values.pop("base", None)
    starts = values.pop("starts_at", timezone.now() + datetime.timedelta(days=10))
    event = Event(
        kind="course",
        title=values.pop("title", "质量管理培训"),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        host_kind="base" if base else "district",
        host_base=base,
        **values,
    )
    event.full_clean()
    event.save()
    return event


def _register(event, organisation, phone, *, name="张三", status="confirmed"):
    return Registration.objects.create(
        event=event,
        organisation=organisation,
        name=name,
        phone=phone,
        registered_by=make_user(Role.ENTERPRISE, organisation),
        status=status,
    )


def test_one_phone_registered_by_two_organisations_is_flagged(db, admin_user):
    first, second = make_organisation(), make_organisation()
    this_year = timezone.now().year
    spring = _event(starts_at=timezone.make_aware(datetime.datetime(this_year - 1, 4, 1, 9)))
    autumn = _event(starts_at=timezone.make_aware(datetime.datetime(this_year - 1, 10, 1, 9)))
    _register(spring, first, "13900000001", name="张三")
    _register(autumn, second, "13900000001", name="张叁")

    (group,) = [g for g in services.shared_phones(admin_user) if g.phone == "13900000001"]
    assert group.names == ["张三", "张叁"]
    assert group.organisations == sorted([first.name, second.name])
    assert {use.event_id for use in group.uses} == {spring.pk, autumn.pk}
    # The year filter: both in last year; none this year.
    assert [g.phone for g in services.shared_phones(admin_user, this_year - 1)] == ["13900000001"]
    assert services.shared_phones(admin_user, this_year) == []


def test_one_organisation_twice_and_cancelled_registrations_are_not_flagged(db, admin_user):
    first, second = make_organisation(), make_organisation()
    one, two = _event(), _event()
    _register(one, first, "13900000002")
    _register(two, first, "13900000002")  # the same enterprise, two events
    _register(two, second, "13900000003", status="cancelled")
    _register(one, first, "13900000003")

    phones = {g.phone for g in services.shared_phones(admin_user)}
    assert not phones & {"13900000002", "13900000003"}


# --- who sees it ------------------------------------------------------------------------------


def test_page_for_staff_only(measures, users, client):
    url = reverse("risks:index")
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    for role in ("enterprise", "expert", "chamber", "provider"):
        assert client_for(users[role]).get(url).status_code == 403

    enterprise = make_organisation(name="上海自报标准有限公司")
    drafted(enterprise, "DB31/T 9301-2024", make_user(Role.ENTERPRISE, enterprise))
    apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9301-2024")
    staff = client_for(users["admin"])
    page = staff.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "上海自报标准有限公司" in html and "<caption" in html
    for view in ("files", "phones"):
        assert staff.get(url, {"view": view, "year": "2024"}).status_code == 200


def test_api_for_staff_only(measures, users, client):
    url = "/api/v1/risks"
    assert client.get(url).status_code == 401
    for role in ("enterprise", "expert"):
        response = token_client(users[role]).get(url)
        assert response.status_code == 403 and response.json()["detail"]

    enterprise = make_organisation()
    drafted(enterprise, "DB31/T 9401-2024", make_user(Role.ENTERPRISE, enterprise))
    application = apply(enterprise, "FX23-STD-LOCAL", project="DB31/T 9401-2024")
    body = token_client(users["admin"]).get(url, {"limit": 500}).json()
    assert set(body) == {"year", "facts", "files", "phones"}
    (line,) = [i for i in body["facts"]["items"] if i["enterprise_id"] == enterprise.pk]
    assert line["application_id"] == application.pk
    assert line["records"][0]["verification"] == "pending"
    assert token_client(users["admin"]).get(url, {"year": 1}).status_code == 422


def test_queries_do_not_grow_with_the_rows(measures, admin_user):
    """A fixed number of queries whatever the number of lines: nothing is fetched per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        for _ in range(count):
            enterprise = make_organisation()
            own = make_user(Role.ENTERPRISE, enterprise)
            code = f"DB31/T {next(_numbers) + 9500}-2024"
            drafted(enterprise, code, own)
            application = apply(enterprise, "FX23-STD-LOCAL", project=code)
            _evidence(application, "e" * 64)
            _register(_event(), enterprise, "13900000009")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            services.fact_risks(admin_user)
            services.shared_files(admin_user)
            services.shared_phones(admin_user)
        return len(context.captured_queries)

    add(2)
    few = queries()
    add(5)
    assert queries() == few


def _screening(admin, as_of: datetime.date) -> Screening:
    job = Job.objects.create(
        task="zhibiao.measures.services.screen", title="筛查", status="done", created_by=admin
    )
    return Screening.objects.create(as_of=as_of, job=job, finished_at=timezone.now())


@pytest.mark.parametrize("typed", ["abc", "²", "1999"])
def test_a_year_that_is_none_is_said_and_a_chosen_one_stays_chosen(admin_user, typed):
    client = client_for(admin_user)
    url = reverse("risks:index")
    page = client.get(url, {"view": "phones", "year": typed})
    assert page.status_code == 200 and page.context["year"] is None
    assert typed in page.content.decode() and "2000" in page.content.decode()
    chosen = client.get(url, {"view": "phones", "year": "2010"})
    assert chosen.context["year"] == 2010 and 2010 in chosen.context["years"]
    assert '<option value="2010" selected>' in chosen.content.decode()


def test_two_organisations_of_one_name_count_as_two(db, admin_user):
    """A head office and its branch may share a name: the page's count follows the query that
    flagged the number (two organisations), not the names."""
    first = make_organisation(name="上海同名机械有限公司")
    second = make_organisation(name="上海同名机械有限公司")
    soon = timezone.now() + datetime.timedelta(days=3)
    _register(_event(starts_at=soon), first, "13900000077", name="李四")
    _register(_event(starts_at=soon), second, "13900000077", name="李四")

    (group,) = [g for g in services.shared_phones(admin_user) if g.phone == "13900000077"]
    assert group.organisations == ["上海同名机械有限公司", "上海同名机械有限公司"]
