"""Attendance that pays (issue 10): a course counts towards a base's subsidy (the `courses` fact
of training_facts) only on facts the base cannot make up — announced ahead, open to others,
attended by people other enterprises registered, from enough enterprises."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.events.conftest import (
    check_in_all,
    genuine_course,
    local,
    people,
    publish_course,
)
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.directory.models import Person
from zhibiao.events import services as events
from zhibiao.events import training
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db

YEAR = 2025
START = local(YEAR, 6, 10, 14)


def courses_of(base, year: int = YEAR) -> list[dict]:
    return training.training_facts([base.organisation_id], year).get(
        base.organisation_id, {"courses": []}
    )["courses"]


@pytest.fixture
def registrants(db) -> list:
    """Users of three enterprises other than the host."""
    return [make_user(Role.ENTERPRISE) for _ in range(3)]


def test_invented_people_at_a_private_course_on_the_spot_do_not_pay(base, manager, clock):
    """The attack: a private course starting 90 seconds later, ten made-up people registered by
    the base itself, all checked in before the start. Before this rule the base held a course
    with ten attendees, entitled to FX23-BASE-COURSE; now it holds none."""
    clock.set(START)
    course = publish_course(manager, START + datetime.timedelta(seconds=90), is_public=False)
    invented = events.register(manager, course, people(10))
    assert {r.organisation_id for r in invented} == {base.organisation_id}
    clock.advance(seconds=30)
    check_in_all(clock, manager, course, invented, every_seconds=2)
    clock.set(course.ends_at + datetime.timedelta(minutes=1))

    assert courses_of(base) == []
    # The year's figures still show the work done; only the money is refused.
    figures = training.yearly_figures(YEAR, [base])[base.pk]
    assert (figures.courses, figures.attendees) == (1, 10)
    judged = events.qualify([course])[course.pk]
    assert (judged.attendees, judged.from_host, judged.enterprises) == (0, 10, 0)
    assert not judged.announced_in_time and not judged.open_to_others


def test_invented_people_through_the_api(base, manager, clock):
    """The same attack through the API: the check-ins succeed (inside the window), the course
    never reaches the measures, and staff see why in the event's `warnings`."""
    clock.set(START)
    api = token_client(manager)
    starts = START + datetime.timedelta(seconds=90)
    created = api.post(
        "/api/v1/events",
        {
            "kind": "course",
            "title": "内部速成课",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
            "is_public": False,
            "registration_opens_at": (START - datetime.timedelta(minutes=1)).isoformat(),
            "registration_closes_at": starts.isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    registered = api.post(
        f"/api/v1/events/{event_id}/registrations",
        {"attendees": people(10)},
        content_type="application/json",
    )
    assert registered.status_code == 201
    codes = [
        r["check_in_code"]
        for r in api.get(f"/api/v1/events/{event_id}/registrations").json()["items"]
    ]
    for code in codes:
        answer = api.post(
            f"/api/v1/events/{event_id}/check-in", {"code": code}, content_type="application/json"
        )
        assert answer.status_code == 200
        clock.advance(seconds=3)
    clock.set(starts + datetime.timedelta(hours=2))
    assert courses_of(base) == []
    staff = token_client(make_user(Role.ADMIN)).get(f"/api/v1/events/{event_id}").json()
    assert {w["code"] for w in staff["warnings"]} >= {
        "not_counted",
        "announced_late",
        "not_open",
        "few_enterprises",
        "host_attendees",
        "late_registration",
        "check_in_burst",
    }
    assert api.get(f"/api/v1/events/{event_id}").json()["warnings"] is None  # not the host


def test_short_notice_does_not_pay_even_with_other_enterprises(base, manager, registrants, clock):
    """Friendly enterprises registering people for a course published on the spot: nobody
    else could have come, so it does not count; the same course announced ten days ahead does."""
    genuine_course(clock, manager, registrants, starts_at=START, notice_days=0.001)
    assert courses_of(base) == []
    genuine_course(clock, manager, registrants, starts_at=START + datetime.timedelta(days=1))
    assert [c["attendees"] for c in courses_of(base)] == [6]


def test_a_genuine_course_counts_only_the_attendees_others_sent(base, manager, registrants, clock):
    """Announced 10 days ahead, open, three other enterprises: it counts, with the people those
    enterprises registered; the host's own people (registered by it, or one of its contact
    numbers registered by someone else) are not counted."""
    Person.objects.create(
        organisation=base.organisation, name="质量部", title="主管", phone="138 0099 0001"
    )
    clock.set(START - datetime.timedelta(days=10))
    course = publish_course(manager, START)
    clock.advance(days=1)
    sent = [r for user in registrants for r in events.register(user, course, people(2))]
    own = events.register(manager, course, people(2))
    helper = make_user(Role.ENTERPRISE)
    disguised = events.register(helper, course, [{"name": "王某", "phone": "13800990001"}])
    clock.set(START + datetime.timedelta(minutes=1))
    check_in_all(clock, manager, course, sent + own + disguised)
    clock.set(START + datetime.timedelta(hours=3))

    assert courses_of(base) == [
        {"title": "标准化实务", "kind": "course", "held_on": START.date(), "attendees": 6}
    ]
    judged = events.qualify([course])[course.pk]
    assert (judged.enterprises, judged.from_host) == (3, 3)


def test_registered_by_a_host_user_for_another_enterprise_does_not_count(
    base, manager, registrants, users, clock
):
    """The host's staff cannot register people in another enterprise's name: the one who
    registered counts, not only the name on the registration."""
    clock.set(START - datetime.timedelta(days=10))
    course = publish_course(manager, START)
    clock.advance(days=1)
    sent = [r for user in registrants for r in events.register(user, course, people(1))]
    clock.set(START)
    check_in_all(clock, manager, course, sent)
    from zhibiao.events.models import Registration

    # A host user who registered them (the admin's power to register for any enterprise aside).
    Registration.objects.filter(pk=sent[0].pk).update(registered_by=manager)
    clock.set(START + datetime.timedelta(hours=3))
    assert courses_of(base) == []  # two enterprises are left
    judged = events.qualify([course])[course.pk]
    assert (judged.attendees, judged.enterprises, judged.from_host) == (2, 2, 1)


def test_too_few_enterprises(base, manager, registrants, clock, settings):
    genuine_course(clock, manager, registrants[:2], starts_at=START, each=4)
    assert courses_of(base) == []
    settings.COURSE_MIN_ENTERPRISES = 2
    assert [c["attendees"] for c in courses_of(base)] == [8]


def test_a_course_for_the_host_alone_does_not_count(base, manager, clock):
    """Invited: only the host. District staff registered three enterprises' people anyway; it
    is still in-house training. Inviting another enterprise too opens it."""
    admin = make_user(Role.ADMIN)
    others = [make_organisation() for _ in range(3)]
    clock.set(START - datetime.timedelta(days=10))
    course = publish_course(manager, START, audience="chosen")
    course.audience_organisations.set([base.organisation])
    clock.advance(days=1)
    sent = [
        r for org in others for r in events.register(admin, course, people(1), organisation=org)
    ]
    clock.set(START)
    check_in_all(clock, manager, course, sent)
    clock.set(START + datetime.timedelta(hours=3))
    assert courses_of(base) == []
    course.audience_organisations.add(others[0])
    assert [c["attendees"] for c in courses_of(base)] == [3]


def test_moving_a_course_earlier_or_publishing_it_late_restarts_the_notice(
    base, manager, registrants, clock
):
    clock.set(START - datetime.timedelta(days=20))
    moved = publish_course(manager, START)
    hidden = publish_course(manager, START + datetime.timedelta(hours=3), is_public=False)
    assert hidden.announced_at is None
    clock.set(START - datetime.timedelta(days=1))
    events.update_event(manager, moved, {"starts_at": START - datetime.timedelta(hours=2)})
    events.update_event(manager, hidden, {"is_public": True})
    moved.refresh_from_db()
    hidden.refresh_from_db()
    assert moved.announced_at == hidden.announced_at == clock.at
    later = publish_course(manager, START + datetime.timedelta(days=5))
    events.update_event(
        manager,
        later,
        {
            "starts_at": START + datetime.timedelta(days=6),
            "ends_at": START + datetime.timedelta(days=6, hours=2),
        },
    )
    later.refresh_from_db()
    assert later.announced_at == clock.at  # moved later: the notice it gave stands
    judged = events.qualify(Event.objects.filter(pk__in=[moved.pk, hidden.pk]))
    assert not any(q.announced_in_time for q in judged.values())


def test_existing_events_are_announced_from_the_evidence_on_file(base, manager, clock):
    """The data migration: the audit entry of publication, else registration's opening or
    the first registration, else the start; internal events stay unannounced."""
    migration = importlib.import_module("zhibiao.events.migrations.0003_event_announced_at")
    clock.set(START - datetime.timedelta(days=30))
    audited = publish_course(manager, START)
    clock.set(START - datetime.timedelta(days=12))
    registration_only = publish_course(manager, START)
    Event.objects.filter(pk=registration_only.pk).update(
        registration_opens_at=START - datetime.timedelta(days=14)
    )
    bare = publish_course(manager, START, registration_opens_at=None, registration_closes_at=None)
    internal = publish_course(manager, START, is_public=False)
    from zhibiao.audit.models import AuditEntry

    AuditEntry.objects.filter(action="event.create").exclude(target_id=str(audited.pk)).delete()
    Event.objects.update(announced_at=None)
    migration.announce_existing(apps, None)
    announced = dict(Event.objects.values_list("pk", "announced_at"))
    assert announced[audited.pk] == START - datetime.timedelta(days=30)
    assert announced[registration_only.pk] == START - datetime.timedelta(days=14)
    assert announced[bare.pk] == START
    assert announced[internal.pk] is None


def test_training_facts_queries_do_not_grow_with_the_courses(
    base, manager, registrants, clock, django_assert_max_num_queries
):
    genuine_course(clock, manager, registrants, starts_at=START)
    with django_assert_max_num_queries(6):
        assert len(courses_of(base)) == 1
    for day in range(1, 4):
        genuine_course(clock, manager, registrants, starts_at=START + datetime.timedelta(days=day))
    with django_assert_max_num_queries(6):
        assert len(courses_of(base)) == 4


def test_staff_see_the_reasons_on_the_base_course_manage_page(base, manager, clock):
    clock.set(START)
    course = publish_course(manager, START + datetime.timedelta(minutes=5), is_public=False)
    clock.set(course.ends_at + datetime.timedelta(minutes=1))
    page = client_for(make_user(Role.ADMIN)).get(reverse("events:manage", args=[course.pk]))
    codes = [w.code for w in page.context["warnings"]]
    assert codes[:4] == ["not_counted", "announced_late", "not_open", "few_enterprises"]
    assert 'data-code="not_open"' in page.content.decode()
    host_page = client_for(manager).get(reverse("events:manage", args=[course.pk]))
    assert host_page.context["warnings"] is None
    assert 'id="warnings"' not in host_page.content.decode()


def test_people_sent_by_a_chamber_a_provider_or_a_department_are_no_enterprises(
    base, manager, registrants, clock
):
    """A chamber speaks for its members (the base among them), and neither it, a service
    provider nor a department is an enterprise that came: three of them filling the room make
    no course; the enterprises' own people still count, and none of the others as the host's."""
    others = [
        make_user(Role.CHAMBER),
        make_user(Role.PROVIDER),
        make_user(Role.DEPARTMENT, make_organisation(kind="government", name="区某局")),
    ]
    course = genuine_course(clock, manager, others, starts_at=START)
    assert courses_of(base) == []
    judged = events.qualify([course])[course.pk]
    assert (judged.attendees, judged.enterprises, judged.from_host) == (0, 0, 0)
    genuine_course(clock, manager, registrants + others, starts_at=START + datetime.timedelta(1))
    assert [c["attendees"] for c in courses_of(base)] == [6]


def test_opening_a_course_to_others_late_restarts_the_notice(base, manager, registrants, clock):
    """Public for a month but admitting only the host's own enterprise, then opened to all
    fifty minutes before the start: nobody else could have come before, so the friendly
    enterprises registering in that last hour make no course. Opened with time to spare, it
    counts."""
    clock.set(START - datetime.timedelta(days=30))
    course = publish_course(manager, START, audience="chosen")
    events.update_event(manager, course, {}, audience_organisations=[base.organisation])
    clock.set(START - datetime.timedelta(minutes=50))
    events.update_event(manager, course, {"audience": "open"})
    sent = [r for user in registrants for r in events.register(user, course, people(2))]
    clock.set(START + datetime.timedelta(minutes=1))
    check_in_all(clock, manager, course, sent)
    clock.set(START + datetime.timedelta(hours=3))
    assert courses_of(base) == []
    assert not events.qualify([course])[course.pk].announced_in_time

    later = START + datetime.timedelta(days=1)
    clock.set(later - datetime.timedelta(days=30))
    course = publish_course(manager, later, audience="chosen")
    events.update_event(manager, course, {}, audience_organisations=[base.organisation])
    clock.set(later - datetime.timedelta(days=10))
    invited = [user.organisation for user in registrants]
    events.update_event(manager, course, {}, audience_organisations=invited)
    sent = [r for user in registrants for r in events.register(user, course, people(2))]
    clock.set(later + datetime.timedelta(minutes=1))
    check_in_all(clock, manager, course, sent)
    clock.set(later + datetime.timedelta(hours=3))
    assert [c["attendees"] for c in courses_of(base)] == [6]
