"""Money only on facts the party paid cannot make up alone (issue 10).

The attacks are replayed as the demo accounts would: a chamber attesting a department's adoption
of its member's group standard; a clause paying on a host's word set to pay without application.
Each must fail to pay until the independent party verifies, and say why.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import AdminFactory, make_organisation, make_user, measures_rulebook
from zhibiao.accounts.models import Role, User
from zhibiao.applications import services as applications
from zhibiao.applications.models import Channel
from zhibiao.core.attestation import Attester
from zhibiao.core.errors import TransitionRefused
from zhibiao.directory.models import Organisation
from zhibiao.measures import facts
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause, Mode
from zhibiao.profiles.models import Certification
from zhibiao.rules import load_schema
from zhibiao.rules.schema import ATTESTERS
from zhibiao.standards import services as standards
from zhibiao.standards.models import GroupStandard
from zhibiao.verification import services as verification

ENTERPRISE = "上海贤达精密机械有限公司"
MSB = "上海市奉贤区市场监督管理局"


def test_every_fact_says_who_attests_it():
    schema = load_schema()
    assert set(Attester.values) == set(ATTESTERS)
    assert all(definition.attested_by in ATTESTERS for definition in schema)
    assert schema.get("courses").attested_by == "host"
    assert schema.get("standards").attester_of("adopted_by_department") == "third_party"
    assert schema.get("standards").attester_of("self_declared") == "enterprise"
    assert schema.get("standards").attester_of("rank") == "district"


def _group_result(organisation):
    ((_rulebook, explanation),) = measures.explain_enterprise(organisation)
    return explanation.result("FX23-STD-GROUP")


@pytest.fixture
def chamber_standard(demo):
    """The attack: the chamber records a group standard led by the demo enterprise, "adopted by"
    a department; the enterprise declares it publicly."""
    chamber = User.objects.get(username="chamber")
    enterprise = Organisation.objects.get(name=ENTERPRISE)
    department = Organisation.objects.get(name="上海市奉贤区人民政府")
    year = timezone.localdate().year
    group = standards.publish_group_standard(
        chamber,
        {
            "code": f"T/SHFXMR 099-{year}",
            "title": "演示攻击团体标准",
            "published_on": datetime.date(year, 1, 2),
            "drafters": [enterprise],
            "adopted_by": department,
            "adopted_on": datetime.date(year, 1, 3),
        },
    )
    user = User.objects.get(username="enterprise")
    declaration = standards.save_declaration(
        user,
        {
            "product": "演示产品",
            "product_category": "演示类别",
            "standards": f"T/SHFXMR 099-{year}",
            "own_code": "",
            "statement": "我们声明。",
        },
    )
    standards.publish_declaration(user, declaration)
    return group, enterprise, department


def test_chamber_alone_cannot_attest_an_adoption(chamber_standard):
    group, enterprise, _department = chamber_standard
    assert group.verification == "pending"
    result = _group_result(enterprise)
    project = group.standard.code
    assert project not in [line.project for line in result.lines if line.amount > 0]
    # It shows as a near miss awaiting verification, naming who can verify it.
    assert result.near_miss
    waiting = [entry for entry in result.awaiting if entry["record"] == project]
    assert waiting and waiting[0]["kind"] == "group_standard"
    assert "上海市奉贤区人民政府" in waiting[0]["verifiers"]
    assert waiting[0]["recorded_by"].startswith("美丽健康产业商会秘书处")
    # Nor does the screening count it.
    population, ids = facts.population(timezone.localdate())
    row = ids.index(enterprise.pk)
    codes = population.lists["standards"].columns["code"]
    offsets = population.lists["standards"].offsets
    assert project not in list(codes[offsets[row] : offsets[row + 1]])


def test_the_adopting_department_verifies_and_then_it_pays(chamber_standard):
    group, enterprise, department = chamber_standard
    outsider = make_user(Role.DEPARTMENT, make_organisation(kind="government", name="别的局"))
    with pytest.raises(PermissionDenied):
        verification.verify(outsider, "group_standard", group.pk)
    with pytest.raises(PermissionDenied):
        verification.verify(User.objects.get(username="enterprise"), "group_standard", group.pk)
    own = make_user(Role.DEPARTMENT, department)
    assert [e.record.pk for e in verification.queue(own)] == [group.pk]
    verification.verify(own, "group_standard", group.pk, note="采信文件已核对")
    group.refresh_from_db()
    assert (group.verification, group.checked_by) == ("verified", own)
    result = _group_result(enterprise)
    line = next(line for line in result.lines if line.project == group.standard.code)
    assert line.amount > 0 and result.entitled
    source = next(s for s in result.sources if s["fact"] == "standards")
    record = next(r for r in source["records"] if r["record"] == group.standard.code)
    assert record["verified_by"].startswith(str(own)) and record["recorded_by"]
    # A change by the chamber sends it back to verification.
    standards.record_adoption(
        User.objects.get(username="chamber"), group, {"adopted_on": datetime.date(2025, 1, 4)}
    )
    group.refresh_from_db()
    assert group.verification == "pending"


def test_reject_needs_a_reason_and_tells_the_enterprise(chamber_standard):
    group, enterprise, _department = chamber_standard
    admin = User.objects.get(username="admin")
    with pytest.raises(ValidationError):
        verification.reject(admin, "group_standard", group.pk, note=" ")
    verification.reject(admin, "group_standard", group.pk, note="未见采信文件")
    group.refresh_from_db()
    assert group.verification == "rejected"
    user = User.objects.get(username="enterprise")
    assert user.notifications.filter(kind="verification.rejected").exists()
    with pytest.raises(TransitionRefused):
        verification.reject(admin, "group_standard", group.pk, note="再次")
    assert not _group_result(enterprise).awaiting  # a rejected record waits for nothing


def test_queue_page_and_api(chamber_standard):
    group, _enterprise, _department = chamber_standard
    url = reverse("verification:queue")
    assert client_for(None).get(url).status_code == 302
    assert client_for(User.objects.get(username="enterprise")).get(url).status_code == 403
    assert client_for(User.objects.get(username="expert")).get(url).status_code == 403
    admin = User.objects.get(username="admin")
    page = client_for(admin).get(url).content.decode()
    assert group.standard.code in page and "美丽健康产业商会秘书处" in page
    decide = reverse("verification:decide", args=["group_standard", group.pk])
    response = client_for(admin).post(decide, {"decision": "reject", "note": ""})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.verification == "pending"  # refused: no reason given, nothing changed
    api = token_client(admin)
    listed = api.get("/api/v1/verifications").json()["items"]  # with the demo's own pending record
    assert str(group) in [item["record"] for item in listed]
    listed = api.get("/api/v1/verifications?kind=group_standard").json()["items"]
    assert [item["record"] for item in listed] == [str(group)]
    assert api.get("/api/v1/verifications?state=bogus").status_code == 422
    done = api.post(
        f"/api/v1/verifications/group_standard/{group.pk}/verify", {}, "application/json"
    )
    assert done.status_code == 200 and done.json()["verification"] == "verified"
    again = api.post(
        f"/api/v1/verifications/group_standard/{group.pk}/verify", {}, "application/json"
    )
    assert again.status_code == 409
    chamber_api = token_client(User.objects.get(username="chamber"))
    assert chamber_api.get("/api/v1/verifications").status_code == 403
    assert (
        api.post("/api/v1/verifications/nothing/1/verify", {}, "application/json").status_code
        == 404
    )


def test_demo_department_verified_the_demo_adoption(demo):
    group = GroupStandard.objects.get(adopted_by__name=MSB)
    assert group.verification == "verified"
    assert group.recorded_by.username == "chamber"
    assert group.checked_by.username == "department"


def test_automatic_mode_refused_for_host_attested_facts(admin_user):
    measures_rulebook()  # the story's clauses, without the rest of the story
    admin = admin_user
    course = Clause.objects.get(code="FX23-BASE-COURSE")
    assert course.mode == Mode.QUICK  # the demo runs it with evidence and review
    with pytest.raises(ValidationError) as refused:
        measures.update_clause_settings(admin, course, mode=Mode.AUTO, needs_review=False)
    assert "courses" in str(refused.value) and "实训基地" in str(refused.value)
    course.refresh_from_db()
    assert course.mode == Mode.QUICK
    # A certificate is attested by its certification body: that may stay automatic.
    brand = Clause.objects.get(code="FX23-BRAND")
    measures.update_clause_settings(admin, brand, mode=Mode.AUTO, needs_review=False)
    # Even set so behind the service's back, a host-attested clause takes applications.
    Clause.objects.filter(pk=course.pk).update(mode=Mode.AUTO)
    course.refresh_from_db()
    assert not measures.auto_allowed(course)


def test_import_refuses_automatic_mode_by_name(admin_user):
    rulebook = measures_rulebook()
    text = measures.export_rulebook(rulebook)
    with pytest.raises(ValidationError) as refused:
        measures.import_rulebook(
            admin_user,
            rulebook.document,
            text,
            modes={"FX23-BASE-OPS": Mode.AUTO},
        )
    assert "FX23-BASE-OPS" in str(refused.value)


def test_an_unverified_certificate_does_not_pay_without_application(demo):
    enterprise = Organisation.objects.get(name=ENTERPRISE)
    year = timezone.localdate().year
    staff = User.objects.get(username="admin")
    before = measures.explain_enterprise(enterprise)[0][1].result("FX23-BRAND")
    assert not before.entitled
    record = Certification.objects.create(
        organisation=enterprise, kind="shanghai_brand", number="SB-TEST-1", year=year
    )
    record.mark_recorded(User.objects.get(username="enterprise"), verified=False)
    record.save()
    clause = Clause.objects.get(code="FX23-BRAND")
    with pytest.raises(TransitionRefused):
        applications.start_application(
            User.objects.get(username="enterprise"), enterprise, clause, project="SB-TEST-1"
        )
    waiting = measures.explain_enterprise(enterprise)[0][1].result("FX23-BRAND")
    assert waiting.near_miss and waiting.awaiting[0]["record"] == "SB-TEST-1"
    verification.verify(staff, "certification", record.pk)
    application = applications.start_application(
        User.objects.get(username="enterprise"), enterprise, clause, project="SB-TEST-1"
    )
    assert application.channel == Channel.AUTO and application.status == "submitted"
    sources = application.assessment["sources"]
    cert = next(s for s in sources if s["fact"] == "certifications")
    assert cert["attester"] == "third_party"
    assert cert["records"][0]["verified_by"].startswith("区市场监管局工作人员")


def test_admin_site_records_and_verifies(org):
    enterprise = org
    admin = AdminFactory(is_superuser=True)
    response = client_for(admin).post(
        reverse("admin:profiles_certification_add"),
        {
            "organisation": enterprise.pk,
            "kind": "cma",
            "number": "CMA-ADMIN-1",
            "year": timezone.localdate().year,
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Certification.objects.get(number="CMA-ADMIN-1")
    assert (record.recorded_by, record.checked_by, record.verification) == (
        admin,
        admin,
        "verified",
    )


def test_explanation_api_shows_provenance(demo):
    enterprise = Organisation.objects.get(name=ENTERPRISE)
    api = token_client(User.objects.get(username="enterprise"))
    body = api.get(f"/api/v1/measures/entitlements?organisation={enterprise.pk}").json()
    results = body[0]["explanation"]["results"]
    tax = next(s for r in results for s in r["sources"] if s["fact"] == "tax_paid_district")
    assert tax["attester"] == "official" and tax["records"][0]["verified_by"]
    page = client_for(User.objects.get(username="enterprise")).get(reverse("portal:mine"))
    text = page.content.decode()
    assert "区市场监管局工作人员" in text


def test_who_may_not_decide_learns_nothing_from_a_missing_reason(chamber_standard):
    """A rejection's reason is checked only for someone who may decide: to anyone else the
    answer is the same refusal whatever they send."""
    group, _enterprise, _department = chamber_standard
    outsider = make_user(Role.DEPARTMENT, make_organisation(kind="government", name="第三个局"))
    with pytest.raises(PermissionDenied):
        verification.reject(outsider, "group_standard", group.pk, note="")
    with pytest.raises(ValidationError):
        verification.reject(User.objects.get(username="admin"), "group_standard", group.pk, note="")


def test_a_record_changed_since_the_queue_showed_it_is_not_vouched_for(chamber_standard):
    """Staff open the queue; the chamber then changes the adoption (recorded again): the
    decision from the page that showed the old content is refused, in the page and the API."""
    group, _enterprise, _department = chamber_standard
    admin = User.objects.get(username="admin")
    page = client_for(admin).get(reverse("verification:queue")).content.decode()
    assert f'name="seen" value="{group.recorded_at.isoformat()}"' in page
    shown = group.recorded_at
    standards.record_adoption(
        User.objects.get(username="chamber"), group, {"adopted_on": datetime.date(2025, 1, 4)}
    )
    decide = reverse("verification:decide", args=["group_standard", group.pk])
    answer = client_for(admin).post(
        decide, {"decision": "verify", "seen": shown.isoformat()}, follow=True
    )
    assert "请刷新" in answer.content.decode()
    group.refresh_from_db()
    assert group.verification == "pending"
    api = token_client(admin).post(
        f"/api/v1/verifications/group_standard/{group.pk}/verify",
        {"recorded_at": shown.isoformat()},
        "application/json",
    )
    assert api.status_code == 409
    fresh = token_client(admin).post(
        f"/api/v1/verifications/group_standard/{group.pk}/verify",
        {"recorded_at": group.recorded_at.isoformat()},
        "application/json",
    )
    assert fresh.status_code == 200 and fresh.json()["verification"] == "verified"


def test_a_note_written_in_the_admin_site_decides_nothing(org, admin_user):
    """A certificate rejected as forged; a colleague writes in the admin site what the
    certification body said: the record stays rejected, with its decision and the one who made
    it. Changing what the record says is staff's word, recorded and verified by them."""
    recorder = make_user(Role.ENTERPRISE, org)
    certificate = Certification(
        organisation=org, kind="cma", number="CMA-NOTE-1", year=timezone.localdate().year
    )
    certificate.mark_recorded(recorder, verified=False)
    certificate.save()
    verification.reject(admin_user, "certification", certificate.pk, note="证书伪造")
    colleague = AdminFactory(is_staff=True)
    url = reverse("admin:profiles_certification_change", args=[certificate.pk])
    fields = {"organisation": org.pk, "kind": "cma", "number": "CMA-NOTE-1"}
    fields["year"] = certificate.year
    response = client_for(colleague).post(url, {**fields, "note": "已向发证机构核实为伪造"})
    assert response.status_code == 302, response.content.decode()[:2000]
    certificate.refresh_from_db()
    assert certificate.note == "已向发证机构核实为伪造"
    assert (certificate.verification, certificate.check_note) == ("rejected", "证书伪造")
    assert (certificate.recorded_by, certificate.checked_by) == (recorder, admin_user)
    assert facts.facts_for(org, timezone.localdate())["certifications"] == []
    response = client_for(colleague).post(url, {**fields, "number": "CMA-NOTE-2", "note": ""})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.verification == "verified"
    assert (certificate.recorded_by, certificate.checked_by) == (colleague, colleague)


def test_a_rejection_by_district_staff_is_not_overturned_by_the_department(chamber_standard):
    """Staff reject the chamber's record (the drafters' ranks are untrue); the adopting
    department, which attests its adoption only, cannot verify it after all. Once the chamber
    records it again (back in the queue), the department verifies it as before."""
    group, enterprise, department = chamber_standard
    admin = User.objects.get(username="admin")
    verification.reject(admin, "group_standard", group.pk, note="起草单位排名不实")
    official = make_user(Role.DEPARTMENT, department)
    with pytest.raises(PermissionDenied):
        verification.verify(official, "group_standard", group.pk)
    answer = token_client(official).post(
        f"/api/v1/verifications/group_standard/{group.pk}/verify", {}, "application/json"
    )
    assert answer.status_code == 403
    group.refresh_from_db()
    assert group.verification == "rejected"
    assert _group_result(enterprise).amount == 0
    standards.record_adoption(
        User.objects.get(username="chamber"), group, {"adopted_on": datetime.date(2025, 1, 4)}
    )
    verification.verify(official, "group_standard", group.pk)
    assert _group_result(enterprise).amount > 0
