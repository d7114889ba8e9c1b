"""Facts come from the records, one enterprise and the whole population agree, and screening
finds the entitled in the background."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.factories import random_records
from zhibiao.applications.models import Application
from zhibiao.directory.models import Organisation
from zhibiao.measures import facts, services
from zhibiao.measures.models import Entitlement, Screening
from zhibiao.profiles.models import (
    CreditEntry,
)
from zhibiao.rules import evaluate_population, explain

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def org_named(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def test_facts_read_from_records(demo):
    xianda = org_named("上海贤达精密机械有限公司")
    got = facts.facts_for(xianda, TODAY)
    assert got["registered_in_district"] is True
    assert got["town"] == "qingcun"
    assert got["tax_paid_district"] == Decimal("860000.00")
    assert got["credit_status"] == "good"
    assert got["certifications"][0]["kind"] == "measurement_ms"
    assert got["standards"][0]["rank"] == 2
    assert got["training_base_status"] == "none"
    chenguang = org_named("上海晨光文具股份有限公司")
    assert facts.facts_for(chenguang, TODAY)["training_base_status"] == "active"


def test_credit_list_entry_counts_while_listed(demo):
    org = org_named("上海奉城新材料科技有限公司")
    entry = CreditEntry.objects.create(
        organisation=org, list="serious", listed_on=TODAY - datetime.timedelta(days=10)
    )
    assert facts.facts_for(org, TODAY)["credit_status"] == "serious"
    entry.removed_on = TODAY - datetime.timedelta(days=1)
    entry.save()
    assert facts.facts_for(org, TODAY)["credit_status"] == "good"


def test_demo_enterprises_are_entitled_with_reasons(demo):
    ((_rulebook, explanation),) = services.explain_enterprise(org_named("上海贤达精密机械有限公司"))
    entitled = {result.id: result.amount for result in explanation.entitled}
    assert entitled == {
        "FX23-STD-NAT-2": Decimal(50000),
        "FX23-CERT-MEASURE": Decimal(100000),
        "FX23-LEADER": Decimal(50000),
    }
    ((_rb, young),) = services.explain_enterprise(org_named("上海奉城新材料科技有限公司"))
    near = {result.id: result.missing for result in young.near_misses}
    assert "FX23-QA-GOLD" in near  # registered less than three years ago
    assert "3" in near["FX23-QA-GOLD"][0]


def test_population_agrees_with_one_by_one(demo):
    """The batch columns and the per-enterprise facts give the same entitlements."""
    random_records(60, seed=3)
    ((rulebook, _),) = services.explain_enterprise(org_named("上海贤达精密机械有限公司"))
    clause_set = services.clause_set(rulebook)
    population, ids = facts.population(TODAY)
    batch = evaluate_population(clause_set, population, TODAY)
    organisations = Organisation.objects.in_bulk(ids)
    entitled_somewhere = 0
    for row, org_id in enumerate(ids):
        one = explain(clause_set, facts.facts_for(organisations[org_id], TODAY), TODAY)
        for column, clause in enumerate(batch.clauses):
            result = one[clause.id]
            assert bool(batch.entitled[row, column]) == result.entitled, (org_id, clause.id)
            assert batch.amount(row, clause.id) == result.amount, (org_id, clause.id)
            entitled_somewhere += result.entitled
    assert entitled_somewhere > 5  # the comparison covered real entitlements


def test_screening_job_records_the_entitled(demo, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_screening(users["admin"])
    job.refresh_from_db()
    assert job.status == "done", job.message
    screening = Screening.objects.get(job=job)
    assert screening.enterprises == Organisation.objects.filter(kind="enterprise").count()
    found = set(
        Entitlement.objects.filter(screening=screening).values_list(
            "organisation__name", "version__clause__code"
        )
    )
    assert ("上海贤达精密机械有限公司", "FX23-CERT-MEASURE") in found
    # The demo paid 金汇 its 上海品牌 award this year: screened again, it is not owed twice.
    paid = Application.objects.filter(clause__code="FX23-BRAND", status="disbursed")
    assert paid.filter(enterprise__name="上海金汇智能装备股份有限公司").exists()
    assert ("上海金汇智能装备股份有限公司", "FX23-BRAND") not in found
    assert job.result["link"] == reverse("measures:screening", args=[screening.pk])


def test_screening_page_and_exports(demo, users, django_capture_on_commit_callbacks):
    admin = client_for(users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("measures:screenings"), {"as_of": TODAY.isoformat()})
    assert response.status_code == 302  # to the job's progress page
    assert admin.get(response["Location"]).status_code == 200
    page = admin.get(reverse("measures:clause", args=["FX23-CERT-MEASURE"])).content.decode()
    assert "上海贤达精密机械有限公司" in page
    export = admin.get(reverse("measures:entitled_export", args=["FX23-CERT-MEASURE"]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "上海贤达精密机械有限公司" and rows[1][5] == 100000
    for role in ("enterprise", "expert"):
        assert client_for(users[role]).get(reverse("measures:screenings")).status_code == 403
        assert (
            client_for(users[role])
            .get(reverse("measures:entitled_export", args=["FX23-CERT-MEASURE"]))
            .status_code
            == 403
        )


def test_confirm_and_notify(demo, users, settings, django_capture_on_commit_callbacks):
    from zhibiao.accounts.models import User
    from zhibiao.notifications.models import Notification

    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=True):
        services.start_screening(users["admin"])
    admin = client_for(users["admin"])
    admin.post(reverse("measures:entitled_notify", args=["FX23-CERT-MEASURE"]))
    demo_user = User.objects.get(username="enterprise")
    notes = Notification.objects.filter(recipient=demo_user, kind="entitlement")
    assert notes.count() == 1
    assert "100000" in notes.get().title
    again = admin.post(reverse("measures:entitled_notify", args=["FX23-CERT-MEASURE"]))
    assert again.status_code == 302
    assert notes.count() == 1  # notified once only
    assert "无需申报" in notes.get().body  # 免申即享: confirming is all
    # A 快申快享 clause's notice asks for the (prefilled) application, never "no application".
    admin.post(reverse("measures:entitled_notify", args=["FX23-STD-NAT-2"]))
    quick = Notification.objects.get(
        recipient=demo_user, kind="entitlement", title__contains="50000"
    )
    assert "无需申报" not in quick.body and "预填" in quick.body


def test_leaders_and_group_standards_are_facts(demo):
    """The standards app's results reach the measures: 领跑者 and group standards drafted."""
    xianda = org_named("上海贤达精密机械有限公司")
    got = facts.facts_for(xianda, TODAY)
    assert got["leaders"] and got["leaders"][0]["year"] == TODAY.year
    ((_rulebook, explanation),) = services.explain_enterprise(xianda)
    assert explanation["FX23-LEADER"].entitled
    beauty = org_named("上海东方美谷生物科技有限公司")
    group = [s for s in facts.facts_for(beauty, TODAY)["standards"] if s["level"] == "group"]
    assert group and group[0]["adopted_by_department"] is True
    population, ids = facts.population(TODAY, needed={"leaders", "standards"})
    row = ids.index(xianda.pk)
    assert population.facts_of(row)["leaders"][0]["category"] == got["leaders"][0]["category"]


def test_bases_courses_and_evaluation_are_facts(demo):
    """The training bases' year reaches the measures; one enterprise and the batch agree."""
    from zhibiao.events.training import training_facts

    bases = Organisation.objects.filter(training_bases__isnull=False).distinct()
    last_year = TODAY.replace(year=TODAY.year - 1, month=12, day=31)
    held = {org: f for org, f in training_facts(None, last_year.year).items() if f["courses"]}
    assert held, "the demo has last year's courses at some bases"
    org = bases.get(pk=next(iter(held)))
    one = facts.facts_for(org, last_year)
    assert len(one["courses"]) == len(held[org.pk]["courses"])
    population, ids = facts.population(last_year, needed={"courses", "base_evaluation"})
    row = population.facts_of(ids.index(org.pk))
    assert len(row["courses"]) == len(one["courses"])
    assert row["base_evaluation"] == one["base_evaluation"]


def test_the_enterprise_file_says_when_no_screening_has_run_and_shows_entitlements_after(
    demo, admin_user, django_capture_on_commit_callbacks
):
    xianda = Organisation.objects.get(name__contains="贤达")
    url = f"/dashboard/enterprises/{xianda.pk}/"
    assert "尚未进行政策筛查" in client_for(admin_user).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.start_screening(admin_user)  # inline in the tests, once committed
    text = client_for(admin_user).get(url).content.decode()
    entitled = Entitlement.objects.filter(organisation=xianda).select_related("version")
    assert entitled and "尚未进行政策筛查" not in text
    assert all(e.version.title in text for e in entitled)
