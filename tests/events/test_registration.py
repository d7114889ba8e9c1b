"""Registration: seats then the waiting list, promotion on cancellation, the enterprise's quota,
the window, the audience, one registration per person, and no overbooking under concurrency."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.events.conftest import make_event, people
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.events import services
from zhibiao.events.errors import Refused
from zhibiao.events.models import Event, Registration, RegistrationStep
from zhibiao.notifications.models import Notification

pytestmark = pytest.mark.django_db


def statuses(event: Event) -> list[str]:
    return list(event.registrations.order_by("created_at", "pk").values_list("status", flat=True))


def test_seats_then_waiting_list(course, enterprise_user):
    created = services.register(enterprise_user, course, people(5))
    assert [r.status for r in created] == ["confirmed"] * 3 + ["waitlisted"] * 2
    course.refresh_from_db()
    assert course.seats_taken == 3
    assert course.seats_left == 0
    assert RegistrationStep.objects.filter(action="register").count() == 5
    entries = AuditEntry.objects.filter(action="registration.create")
    assert entries.count() == 1  # one operation, one entry, five people
    assert entries.get().data["waitlisted"] == 2
    assert {r.organisation_id for r in created} == {enterprise_user.organisation_id}


def test_cancel_promotes_the_first_waiting_and_notifies(course, enterprise_user, other_org):
    first = services.register(enterprise_user, course, people(3))
    colleague = make_user(Role.ENTERPRISE, other_org)
    waiting = services.register(colleague, course, people(2))
    assert [r.status for r in waiting] == ["waitlisted", "waitlisted"]
    services.cancel(enterprise_user, first[1], reason="出差")
    assert statuses(course) == ["confirmed", "cancelled", "confirmed", "confirmed", "waitlisted"]
    course.refresh_from_db()
    assert course.seats_taken == 3
    promoted = Registration.objects.get(pk=waiting[0].pk)
    step = promoted.steps.get(action="promote")
    assert step.actor is None and step.from_status == "waitlisted"
    notice = Notification.objects.get(recipient=colleague, kind="registration.promoted")
    assert waiting[0].name in notice.body
    assert notice.link == promoted.get_absolute_url()
    assert AuditEntry.objects.get(action="registration.cancel").data["promoted"] == [promoted.pk]


def test_a_cancellation_promoting_a_name_with_a_line_break_still_answers(
    course, enterprise_user, other_org, mailoutbox, django_capture_on_commit_callbacks
):
    """Another enterprise's attendee named with a line break (through the API) made the
    promotion's mail to its registrant unsendable, and so whoever cancelled got a 500."""
    first = services.register(enterprise_user, course, people(3))
    colleague = make_user(Role.ENTERPRISE, other_org)
    colleague.email = "hr@example.org"
    colleague.save()
    api = token_client(colleague)
    waiting = api.post(
        f"/api/v1/events/{course.pk}/registrations",
        {"attendees": [{"name": "张\n三", "phone": "13900000001"}]},
        content_type="application/json",
    )
    assert waiting.status_code == 201 and waiting.json()[0]["status"] == "waitlisted"
    with django_capture_on_commit_callbacks(execute=True):
        answer = token_client(enterprise_user).post(
            f"/api/v1/events/registrations/{first[0].pk}/cancel",
            {"reason": "出差"},
            content_type="application/json",
        )
    assert answer.status_code == 200
    assert [message.to for message in mailoutbox] == [["hr@example.org"]]
    assert "\n" not in mailoutbox[0].subject


def test_cancelling_a_waiting_place_frees_no_seat(course, enterprise_user):
    created = services.register(enterprise_user, course, people(4))
    services.cancel(enterprise_user, created[3])
    course.refresh_from_db()
    assert course.seats_taken == 3
    with pytest.raises(Refused):
        services.cancel(enterprise_user, created[3])  # already cancelled


def test_no_cancelling_once_begun(course, enterprise_user):
    created = services.register(enterprise_user, course, people(1))
    Event.objects.filter(pk=course.pk).update(starts_at=timezone.now())
    with pytest.raises(Refused):
        services.cancel(enterprise_user, created[0])


def test_same_person_twice_is_refused_on_the_phone(course, enterprise_user):
    person = people(1)
    services.register(enterprise_user, course, person)
    with pytest.raises(ValidationError) as caught:
        services.register(enterprise_user, course, [*people(1), *person])
    assert list(caught.value.message_dict) == ["attendees.1.phone"]
    assert course.registrations.count() == 1  # the other person was not saved either


def test_same_person_twice_in_one_go(course, enterprise_user):
    person = people(1)[0]
    with pytest.raises(ValidationError) as caught:
        services.register(enterprise_user, course, [person, {**person, "name": "别名"}])
    assert "attendees.1.phone" in caught.value.message_dict
    assert not course.registrations.exists()


def test_a_cancelled_person_may_register_again(course, enterprise_user):
    person = people(1)
    created = services.register(enterprise_user, course, person)
    services.cancel(enterprise_user, created[0])
    assert services.register(enterprise_user, course, person)[0].status == "confirmed"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"name": "", "phone": "13800009999"}, "name"),
        ({"name": "张工", "phone": "02157001234"}, "phone"),
        ({"name": "张工", "phone": "1380000"}, "phone"),
        ({"name": "张" * 51, "phone": "13800009998"}, "name"),
    ],
)
def test_bad_attendee_refused_by_field(course, enterprise_user, row, field):
    with pytest.raises(ValidationError) as caught:
        services.register(enterprise_user, course, [row])
    assert list(caught.value.message_dict) == [f"attendees.0.{field}"]
    assert not course.registrations.exists()


def test_phone_written_with_spaces_or_prefix(course, enterprise_user):
    created = services.register(
        enterprise_user, course, [{"name": "张工", "phone": "+86 138-0000-7777"}]
    )
    assert created[0].phone == "13800007777"
    assert created[0].masked_phone == "138****7777"


def test_quota_per_enterprise_counts_the_waiting_list(base, enterprise_user):
    event = make_event(base, capacity=2, quota_per_enterprise=3)
    services.register(enterprise_user, event, people(3))
    with pytest.raises(ValidationError) as caught:
        services.register(enterprise_user, event, people(1))
    assert "attendees" in caught.value.message_dict
    assert "3" in caught.value.message_dict["attendees"][0]
    assert event.registrations.count() == 3


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(-3, -1), (1, 2)],  # closed yesterday; opens tomorrow
)
def test_outside_the_window_refused(base, enterprise_user, opens, closes):
    now = timezone.now()
    event = make_event(
        base,
        registration_opens_at=now + datetime.timedelta(days=opens),
        registration_closes_at=now + datetime.timedelta(days=closes),
    )
    with pytest.raises(Refused):
        services.register(enterprise_user, event, people(1))
    assert not event.registrations.exists()


def test_event_without_registration_refused(enterprise_user):
    now = timezone.now()
    event = Event.objects.create(
        kind="conference",
        title="大会",
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=2),
    )
    with pytest.raises(Refused):
        services.register(enterprise_user, event, people(1))


def test_audience_by_town_role_or_enterprise(base, enterprise_user, other_org):
    event = make_event(base, audience="chosen", audience_towns=["jinhui"])
    with pytest.raises(PermissionDenied):  # enterprise_user's enterprise is in Nanqiao
        services.register(enterprise_user, event, people(1))
    outsider = make_user(Role.ENTERPRISE, other_org)  # other_org is in Jinhui
    assert services.register(outsider, event, people(1))[0].status == "confirmed"
    event.audience_towns = []
    event.audience_roles = [Role.CHAMBER]
    event.save()
    chamber = make_user(Role.CHAMBER, make_organisation(kind="chamber", name="某商会"))
    assert services.register(chamber, event, people(1))
    event.audience_roles = []
    event.save()
    event.audience_organisations.set([enterprise_user.organisation])
    assert services.register(enterprise_user, event, people(1))


def test_hidden_event_cannot_be_registered_for(base, enterprise_user):
    event = make_event(base, is_public=False)
    with pytest.raises(PermissionDenied):
        services.register(enterprise_user, event, people(1))


def test_expert_registers_themself(course, expert_user):
    created = services.register(expert_user, course, [{**people(1)[0], "is_self": True}])
    assert created[0].user == expert_user
    assert created[0].organisation is None


def test_only_admins_register_for_another_enterprise(course, enterprise_user, other_org, users):
    with pytest.raises(PermissionDenied):
        services.register(enterprise_user, course, people(1), organisation=other_org)
    created = services.register(users["admin"], course, people(1), organisation=other_org)
    assert created[0].organisation == other_org


def test_capacity_raised_gives_the_waiting_list_seats(course, enterprise_user, manager):
    services.register(enterprise_user, course, people(5))
    services.update_event(manager, course, {"capacity": 4})
    assert statuses(course).count("confirmed") == 4
    services.update_event(manager, course, {"capacity": None})
    assert statuses(course) == ["confirmed"] * 5
    course.refresh_from_db()
    assert course.seats_taken == 5
    with pytest.raises(ValidationError) as caught:
        services.update_event(manager, course, {"capacity": 2})
    assert "capacity" in caught.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_no_overbooking_under_concurrent_registration(industries, base):
    """Many people register at the same moment from many threads: seats are never exceeded
    (PostgreSQL: the row lock; SQLite: the IMMEDIATE transaction), the rest wait."""
    event = make_event(base, capacity=5)
    registrants = [make_user(Role.ENTERPRISE, make_organisation()) for _ in range(24)]
    start = threading.Barrier(len(registrants))
    errors: list[BaseException] = []

    def attempt(user, person):
        try:
            start.wait()
            services.register(user, event, [person])
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(user, person))
        for user, person in zip(registrants, people(len(registrants)), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    event.refresh_from_db()
    counts = {status: statuses(event).count(status) for status in ("confirmed", "waitlisted")}
    assert counts == {"confirmed": 5, "waitlisted": 19}
    assert event.seats_taken == 5


def test_overbooking_is_refused_by_the_database_too(course):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=course.pk).update(seats_taken=course.capacity + 1)


# --- Pages and API --------------------------------------------------------------------------


def test_register_page_saves_rows_and_shows_errors_by_row(course, enterprise_user):
    client = client_for(enterprise_user)
    url = reverse("events:register", args=[course.pk])
    assert client.get(url).status_code == 200
    form = {
        "attendees-TOTAL_FORMS": "3",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-name": "张工",
        "attendees-0-phone": "13800001111",
        "attendees-1-name": "",
        "attendees-1-phone": "",
        "attendees-2-name": "李工",
        "attendees-2-phone": "123",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert not course.registrations.exists()
    assert response.context["formset"].forms[2].errors["phone"]
    form["attendees-2-phone"] = "13800002222"
    response = client.post(url, form)
    assert response.status_code == 302
    assert course.registrations.count() == 2


def test_register_page_after_the_window_says_why(base, enterprise_user):
    now = timezone.now()
    event = make_event(
        base,
        registration_opens_at=now - datetime.timedelta(days=3),
        registration_closes_at=now - datetime.timedelta(days=1),
    )
    response = client_for(enterprise_user).get(reverse("events:register", args=[event.pk]))
    assert response.context["refusal"]
    assert "attendees-TOTAL_FORMS" not in response.content.decode()


def test_register_page_needs_sign_in(course):
    response = client_for(None).get(reverse("events:register", args=[course.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_api_register_list_cancel(course, enterprise_user, other_org):
    api = token_client(enterprise_user)
    response = api.post(
        f"/api/v1/events/{course.pk}/registrations",
        {"attendees": people(4)},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert [r["status"] for r in body] == ["confirmed"] * 3 + ["waitlisted"]
    assert body[0]["check_in_code"] and body[3]["check_in_code"] is None
    assert body[0]["phone"].count("*") == 4
    listed = api.get("/api/v1/events/registrations", {"event": course.pk}).json()
    assert listed["count"] == 4
    first = body[0]["id"]
    cancelled = api.post(
        f"/api/v1/events/registrations/{first}/cancel", {}, content_type="application/json"
    )
    assert cancelled.json()["status"] == "cancelled"
    stranger = token_client(make_user(Role.ENTERPRISE, other_org))
    assert stranger.get(f"/api/v1/events/registrations/{first}").status_code == 404
    assert (
        stranger.post(
            f"/api/v1/events/registrations/{body[1]['id']}/cancel",
            {},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_api_errors(base, course, enterprise_user):
    api = token_client(enterprise_user)
    url = f"/api/v1/events/{course.pk}/registrations"
    anonymous = client_for(None).post(
        url, {"attendees": people(1)}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    bad = api.post(
        url, {"attendees": [{"name": "张工", "phone": "1"}]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["attendees.0.phone"]
    now = timezone.now()
    closed = make_event(
        base,
        registration_opens_at=now - datetime.timedelta(days=3),
        registration_closes_at=now - datetime.timedelta(days=1),
    )
    response = api.post(
        f"/api/v1/events/{closed.pk}/registrations",
        {"attendees": people(1)},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    chosen = make_event(base, audience="chosen", audience_towns=["haiwan"])
    response = api.post(
        f"/api/v1/events/{chosen.pk}/registrations",
        {"attendees": people(1)},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_public_api_shows_seats(course, enterprise_user):
    services.register(enterprise_user, course, people(2))
    body = client_for(None).get(f"/api/v1/events/{course.pk}").json()
    assert body["capacity"] == 3
    assert body["seats_left"] == 1
    assert body["registration_open"] is True
    assert body["host_kind"] == "base"
    assert body["host_name"] == course.host_base.organisation.name
