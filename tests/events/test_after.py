"""After the check-in: the certificate (attendees only, verifiable), the survey (attendees
only, once, after the event), the figures per event and host, calendars, news; and the hosts'
pages (publishing, speakers, materials, the manage page)."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, pdf_text, token_client
from tests.events.conftest import make_event, people, run_now
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.bases.models import TrainingBase
from zhibiao.events import services
from zhibiao.events.errors import Refused
from zhibiao.events.models import Certificate, Event, Feedback
from zhibiao.news.models import NewsItem
from zhibiao.notifications.models import Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def held(course, enterprise_user, manager):
    """A course that is over: two people came, one did not."""
    created = services.register(enterprise_user, course, people(3))
    run_now(course)
    for person in created[:2]:
        services.check_in(manager, course, services.check_in_code(person))
    run_now(course, ended=True)
    return created


def test_certificate_for_attendees_only(held, course):
    came, stayed_away = held[0], held[2]
    client = client_for(None)  # the ticket's address is the credential
    response = client.get(reverse("events:certificate", args=[came.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert b"STSong-Light" in pdf  # the built-in CID font: no font file needed
    certificate = Certificate.objects.get(registration=came)
    title, text = pdf_text(pdf)
    assert title == f"培训证书 {certificate.number}"
    assert came.name in text and certificate.number in text and course.title in text
    assert client.get(reverse("events:certificate", args=[stayed_away.token])).status_code == 404
    assert client.get(reverse("events:certificate", args=["not-a-token"])).status_code == 404


def test_certificate_verifies_on_the_platform(held, manager):
    certificate = Certificate.objects.get(registration=held[0])
    page = client_for(None).get(reverse("events:verify", args=[certificate.code]))
    assert page.status_code == 200
    assert held[0].name in page.content.decode()
    assert "border-success" in page.content.decode()
    unknown = client_for(None).get(reverse("events:verify", args=["forged-code"]))
    assert unknown.status_code == 404
    api = client_for(None).get(f"/api/v1/events/certificates/{certificate.code}").json()
    assert api["genuine"] is True and api["number"] == certificate.number
    services.revoke_certificate(manager, certificate, reason="签到有误")
    page = client_for(None).get(reverse("events:verify", args=[certificate.code]))
    assert "签到有误" in page.content.decode()
    assert (
        client_for(None).get(f"/api/v1/events/certificates/{certificate.code}").json()["genuine"]
        is False
    )


def test_feedback_attendees_only_once_after_the_event(held):
    came, stayed_away = held[0], held[2]
    with pytest.raises(Refused):
        services.submit_feedback(None, stayed_away, satisfaction=5, usefulness=5)
    with pytest.raises(ValidationError) as caught:
        services.submit_feedback(None, came, satisfaction=9, usefulness="x")
    assert set(caught.value.message_dict) == {"satisfaction", "usefulness"}
    services.submit_feedback(None, came, satisfaction=4, usefulness=5, comment="很实用")
    with pytest.raises(Refused):
        services.submit_feedback(None, came, satisfaction=5, usefulness=5)
    assert Feedback.objects.get().comment == "很实用"


def test_feedback_not_before_the_end(course, enterprise_user, manager):
    person = services.register(enterprise_user, course, people(1))[0]
    run_now(course)
    services.check_in(manager, course, services.check_in_code(person))
    with pytest.raises(Refused):
        services.submit_feedback(None, person, satisfaction=5, usefulness=5)


def test_feedback_page(held):
    client = client_for(None)
    url = reverse("events:feedback", args=[held[0].token])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"satisfaction": "7", "usefulness": "4"})
    assert bad.status_code == 200 and bad.context["form"].errors["satisfaction"]
    assert client.post(url, {"satisfaction": "5", "usefulness": "4"}).status_code == 302
    assert client.get(reverse("events:feedback", args=[held[2].token])).status_code == 302


def test_survey_goes_to_attendees_registrants_once(held, course, manager, enterprise_user):
    # held[2] stayed away; give that person their own registrant, who must hear nothing
    no_show_registrant = make_user(Role.ENTERPRISE, make_organisation())
    held[2].registered_by = no_show_registrant
    held[2].save()
    sent = services.send_survey(manager, course)
    assert sent == 1
    assert Notification.objects.filter(kind="event.survey", recipient=enterprise_user).exists()
    assert not Notification.objects.filter(recipient=no_show_registrant).exists()
    with pytest.raises(Refused):
        services.send_survey(manager, course)


def test_figures_per_event_and_host(held, course):
    services.submit_feedback(None, held[0], satisfaction=5, usefulness=4)
    services.submit_feedback(None, held[1], satisfaction=3, usefulness=4)
    figures = services.event_figures([course])[course.pk]
    assert (figures.registered, figures.attendees, figures.no_shows) == (3, 2, 1)
    assert figures.satisfaction == 4 and figures.responses == 2
    hosts = services.host_figures()
    base_row = next(h for h in hosts if h.host_kind == "base")
    assert base_row.name == course.host_base.organisation.name
    assert (base_row.events, base_row.attendees, base_row.satisfaction) == (1, 2, 4)


def test_satisfaction_page_is_for_staff(held, users, manager):
    url = reverse("events:satisfaction")
    assert client_for(None).get(url).status_code == 302
    assert client_for(manager).get(url).status_code == 403
    page = client_for(users["admin"]).get(url)
    assert page.status_code == 200
    assert "标准化基础知识" in page.content.decode()
    api = token_client(users["admin"]).get("/api/v1/events/figures/hosts").json()
    assert api[0]["attendees"] == 2
    assert token_client(manager).get("/api/v1/events/figures/hosts").status_code == 403


def test_ticket_page_shows_the_qr_code_while_seated(course, enterprise_user):
    created = services.register(enterprise_user, course, people(4))
    page = client_for(None).get(reverse("events:ticket", args=[created[0].token]))
    body = page.content.decode()
    assert "<svg" in body and services.check_in_code(created[0]) in body
    waiting = client_for(None).get(reverse("events:ticket", args=[created[3].token]))
    # No check-in QR code without a seat; only the one that opens the ticket on a phone.
    assert 'class="ticket-qr"' not in waiting.content.decode()
    assert waiting.content.decode().count("<svg") == 1
    assert client_for(None).get(reverse("events:ticket", args=["nope"])).status_code == 404


# --- Calendars ------------------------------------------------------------------------------


def test_public_calendar_lists_public_events_only(base, course):
    make_event(base, title="内部筹备会", is_public=False)
    response = client_for(None).get(reverse("events:calendar"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    titles = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert titles == [course.title]
    entry = calendar.walk("VEVENT")[0]
    assert entry.decoded("dtstart") == course.starts_at.replace(microsecond=0)
    assert str(entry["uid"]).startswith(f"event-{course.pk}@")


def test_personal_calendar_by_secret_address(course, enterprise_user, base):
    services.register(enterprise_user, course, people(2))
    client = client_for(enterprise_user)
    page = client.get(reverse("events:calendars"))
    feed = page.context["personal_url"]
    body = client_for(None).get(feed.replace("http://testserver", "")).content
    calendar = icalendar.Calendar.from_ical(body)
    entries = calendar.walk("VEVENT")
    assert len(entries) == 1 and "学员" in str(entries[0]["description"])
    client.post(reverse("events:calendars"))  # a new address; the old one stops working
    assert client_for(None).get(feed.replace("http://testserver", "")).status_code == 404
    assert client_for(None).get(reverse("events:calendars")).status_code == 302


# --- News -----------------------------------------------------------------------------------


def test_news_public_and_drafts_hidden(course, users):
    published = NewsItem.objects.create(
        title="实训基地开课", published_on=datetime.date(2024, 3, 1), body="正文"
    )
    published.events.set([course])
    draft = NewsItem.objects.create(
        title="草稿", published_on=datetime.date(2024, 3, 2), body="正文", is_published=False
    )
    listing = client_for(None).get(reverse("news:list")).content.decode()
    assert "实训基地开课" in listing and "草稿" not in listing
    detail = client_for(None).get(reverse("news:detail", args=[published.pk])).content.decode()
    assert course.title in detail
    assert client_for(None).get(reverse("news:detail", args=[draft.pk])).status_code == 404
    admin_view = client_for(users["admin"]).get(reverse("news:detail", args=[draft.pk]))
    assert admin_view.status_code == 200
    api = client_for(None).get("/api/v1/news").json()
    assert api["count"] == 1 and api["items"][0]["event_ids"] == [course.pk]
    event_page = client_for(None).get(course.get_absolute_url()).content.decode()
    assert "实训基地开课" in event_page


# --- Hosting ----------------------------------------------------------------------------------


def _event_form(**values) -> dict:
    starts = timezone.localtime() + datetime.timedelta(days=10)
    form = {
        "kind": "course",
        "title": "计量管理实务",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "培训室",
        "description": "",
        "is_public": "on",
        "capacity": "30",
        "registration_opens_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "registration_closes_at": (starts - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "quota_per_enterprise": "",
        "audience": "open",
    }
    form.update(values)
    return form


def test_base_manager_publishes_at_their_own_base(base, manager):
    response = client_for(manager).post(reverse("events:create"), _event_form())
    assert response.status_code == 302
    event = Event.objects.get(title="计量管理实务")
    assert event.host_base == base and event.host_kind == "base"
    assert list(event.organisers.all()) == [base.organisation]
    client_for(manager).post(
        reverse("events:create"), _event_form(title="别处", host_kind="district")
    )
    assert Event.objects.get(title="别处").host_base == base  # host fields are not theirs


def test_publishing_matrix_and_errors_by_field(base, manager, enterprise_user, users):
    url = reverse("events:create")
    assert client_for(None).get(url).status_code == 302
    assert client_for(enterprise_user).get(url).status_code == 403
    TrainingBase.objects.filter(pk=base.pk).update(status="suspended")
    assert client_for(manager).get(url).status_code == 403  # a suspended base publishes nothing
    late = _event_form(registration_closes_at="2099-01-01T00:00")
    response = client_for(users["admin"]).post(url, late)
    assert response.status_code == 200, response.context["form"].errors
    assert response.context["form"].errors["registration_closes_at"]
    assert not Event.objects.exists()
    chosen = client_for(users["admin"]).post(url, _event_form(audience_usccs="91350100M000100Y43"))
    assert chosen.context["form"].errors["audience_usccs"]
    unhosted = client_for(users["admin"]).post(url, _event_form(host_kind="base"))
    assert unhosted.context["form"].errors["host_base"]


def test_admin_publishes_for_a_chamber_with_an_audience(users):
    chamber = make_organisation(
        kind="chamber", name="奉贤区测试行业协会", ownership="", industry=""
    )
    invited = make_organisation(name="受邀企业有限公司")
    response = client_for(users["admin"]).post(
        reverse("events:create"),
        _event_form(
            host_kind="chamber",
            host_chamber=str(chamber.pk),
            audience="chosen",
            audience_towns=["jinhui"],
            audience_usccs=invited.uscc,
        ),
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.host_chamber == chamber and event.audience_towns == ["jinhui"]
    assert list(event.audience_organisations.all()) == [invited]
    chamber_user = make_user(Role.CHAMBER, chamber)
    assert Event.objects.restrict(chamber_user, "manage").get() == event


def test_manage_page_matrix(course, manager, enterprise_user, users):
    services.register(enterprise_user, course, people(2))
    url = reverse("events:manage", args=[course.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(enterprise_user).get(url).status_code == 403
    stranger = make_user(
        Role.BASE_MANAGER,
        TrainingBase.objects.create(
            organisation=make_organisation(name="另一基地有限公司"), batch=course.host_base.batch
        ).organisation,
    )
    assert client_for(stranger).get(url).status_code == 404
    page = client_for(manager).get(url)
    assert page.status_code == 200 and "学员" in page.content.decode()
    assert client_for(users["admin"]).get(url).status_code == 200


def test_speakers_and_materials(course, manager, users):
    from zhibiao.committee.models import Committee, CommitteeMember
    from zhibiao.directory.models import Person

    committee = Committee.objects.create(name="委员会", founded_on=datetime.date(2023, 5, 27))
    person = Person.objects.create(
        name="市标准化研究院高级工程师", title="高级工程师", organisation=make_organisation()
    )
    member = CommitteeMember.objects.create(
        committee=committee,
        person=person,
        sector="institution",
        term_start=datetime.date(2023, 5, 27),
    )
    client = client_for(manager)
    add = reverse("events:speaker_add", args=[course.pk])
    client.post(add, {"member": member.pk, "topic": "标准研制"})
    client.post(add, {"name": "", "topic": "无名"})
    assert [s.display_name for s in course.speakers.all()] == ["市标准化研究院高级工程师"]
    client.post(
        reverse("events:material_add", args=[course.pk]),
        {"title": "讲义", "file": SimpleUploadedFile("讲义.pdf", PDF)},
    )
    client.post(
        reverse("events:material_add", args=[course.pk]),
        {"title": "假的", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
    )
    material = course.materials.get()
    download = client_for(None).get(reverse("events:material", args=[material.pk]))
    assert download.status_code == 200
    page = client_for(None).get(course.get_absolute_url()).content.decode()
    assert "市标准化研究院高级工程师" in page and "讲义" in page
    api = client_for(None).get(f"/api/v1/events/{course.pk}").json()
    assert api["speakers"][0]["committee_member_id"] == member.pk
    assert api["materials"][0]["title"] == "讲义"
    with pytest.raises(PermissionDenied):
        services.add_material(users["expert"], course, "x", SimpleUploadedFile("a.pdf", PDF))


def test_api_publish_and_change(base, manager, users):
    api = token_client(manager)
    starts = timezone.now() + datetime.timedelta(days=5)
    payload = {
        "kind": "site_visit",
        "title": "生产线观摩",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "registration_opens_at": timezone.now().isoformat(),
        "registration_closes_at": (starts - datetime.timedelta(days=1)).isoformat(),
    }
    created = api.post("/api/v1/events", payload, content_type="application/json")
    assert created.status_code == 201
    event_id = created.json()["id"]
    assert created.json()["host_base_id"] == base.pk
    changed = api.patch(
        f"/api/v1/events/{event_id}", {"capacity": 20}, content_type="application/json"
    )
    assert changed.json()["capacity"] == 20
    refused = token_client(users["enterprise"]).post(
        "/api/v1/events", payload, content_type="application/json"
    )
    assert refused.status_code == 403


def test_api_speakers_materials_and_revoking(held, course, manager, enterprise_user):
    api = token_client(manager)
    speaker = api.post(
        f"/api/v1/events/{course.pk}/speakers",
        {"name": "外聘讲师", "topic": "计量"},
        content_type="application/json",
    )
    assert speaker.status_code == 201 and speaker.json()["name"] == "外聘讲师"
    nameless = api.post(
        f"/api/v1/events/{course.pk}/speakers", {"topic": "x"}, content_type="application/json"
    )
    assert nameless.status_code == 422 and "name" in nameless.json()["errors"]
    material = api.post(
        f"/api/v1/events/{course.pk}/materials",
        {"title": "讲义", "file": SimpleUploadedFile("讲义.pdf", PDF)},
    )
    assert material.status_code == 201
    certificate = Certificate.objects.get(registration=held[1])
    refused = token_client(enterprise_user).post(
        f"/api/v1/events/certificates/{certificate.code}/revoke",
        {"reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    page = client_for(manager).post(
        reverse("events:revoke", args=[course.pk, certificate.pk]), {"reason": "代签"}
    )
    assert page.status_code == 302
    again = api.post(
        f"/api/v1/events/certificates/{certificate.code}/revoke",
        {"reason": "再次"},
        content_type="application/json",
    )
    assert again.status_code == 409
