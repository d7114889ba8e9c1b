"""The warnings district staff see on a course (services.course_warnings): each is raised by
what it describes, and only by that."""

from __future__ import annotations

import datetime

import pytest

from tests.events.conftest import check_in_all, genuine_course, local, people, publish_course
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.events import services

pytestmark = pytest.mark.django_db

START = local(2025, 6, 10, 14)


def codes(event) -> list[str]:
    return [w.code for w in services.course_warnings([event])[event.pk]]


def warning(event, code: str) -> services.CourseWarning:
    return next(w for w in services.course_warnings([event])[event.pk] if w.code == code)


@pytest.fixture
def registrants(db) -> list:
    return [make_user(Role.ENTERPRISE) for _ in range(3)]


@pytest.fixture
def announced(manager, clock):
    """A public course at 14:00 announced ten days ahead; the clock the day after."""
    clock.set(START - datetime.timedelta(days=10))
    course = publish_course(manager, START)
    clock.advance(days=1)
    return course


def test_a_genuine_course_raises_none(manager, registrants, clock):
    course = genuine_course(clock, manager, registrants, starts_at=START)
    assert services.course_warnings([course]) == {course.pk: []}


def test_one_number_on_many_courses(manager, enterprise_user, clock, settings):
    regular = {"name": "常客", "phone": "13912345678"}
    courses = []
    for day in range(3):
        clock.set(START - datetime.timedelta(days=10))
        course = publish_course(manager, START + datetime.timedelta(days=day))
        services.register(enterprise_user, course, [regular, *people(1)])
        courses.append(course)
        if day == 1:
            assert "repeated_phone" not in codes(course)  # two courses: not yet many
    found = warning(courses[0], "repeated_phone")
    assert found.count == 1 and found.details == ("13912345678 ×3",)
    assert "2025" in found.message
    settings.COURSE_REPEAT_PHONE_EVENTS = 4
    assert "repeated_phone" not in codes(courses[0])


def test_registrations_minutes_before_the_start(announced, enterprise_user, clock):
    clock.set(START - datetime.timedelta(minutes=31))
    services.register(enterprise_user, announced, people(1))
    assert "late_registration" not in codes(announced)
    clock.set(START - datetime.timedelta(minutes=10))
    services.register(enterprise_user, announced, people(2))
    assert warning(announced, "late_registration").count == 2


def test_check_ins_in_a_burst(announced, manager, enterprise_user, clock, settings):
    crowd = services.register(enterprise_user, announced, people(19))
    clock.set(START - datetime.timedelta(minutes=20))
    check_in_all(clock, manager, announced, crowd[:9], every_seconds=5)  # 9 in 45 s: a queue
    assert "check_in_burst" not in codes(announced)
    clock.advance(minutes=5)
    check_in_all(clock, manager, announced, crowd[9:], every_seconds=5)  # 10 in 50 s
    burst = warning(announced, "check_in_burst")
    assert burst.count == 10
    settings.COURSE_BURST_CHECKINS = 12
    assert "check_in_burst" not in codes(announced)


def test_attendance_from_the_paper_sheet(announced, manager, enterprise_user, clock):
    registered = services.register(enterprise_user, announced, people(3))
    clock.set(START + datetime.timedelta(hours=3))
    services.import_attendance(
        manager,
        announced,
        ["手机号"],
        [(n + 2, {"手机号": r.phone}) for n, r in enumerate(registered)],
    )
    assert warning(announced, "sheet").count == 3


def test_a_sheet_staff_imported_is_not_the_hosts_word_nor_a_burst(
    announced, admin_user, enterprise_user, clock
):
    registered = services.register(enterprise_user, announced, people(12))
    clock.set(START + datetime.timedelta(hours=3))
    services.import_attendance(
        admin_user,
        announced,
        ["手机号"],
        [(n + 2, {"手机号": r.phone}) for n, r in enumerate(registered)],
    )
    assert not {"sheet", "check_in_burst"} & set(codes(announced))


def test_why_a_course_does_not_count(announced, manager, enterprise_user, clock):
    """Announced in time and open, but the host filled it with its own people and one
    enterprise: the reasons are the host's attendees and too few enterprises."""
    own = services.register(manager, announced, people(4))
    theirs = services.register(enterprise_user, announced, people(2))
    clock.set(START)
    check_in_all(clock, manager, announced, own + theirs)
    assert codes(announced) == ["host_attendees"]  # under way: attendance not final
    clock.set(announced.ends_at)
    assert codes(announced) == ["not_counted", "few_enterprises", "host_attendees"]
    assert warning(announced, "host_attendees").count == 4
    assert warning(announced, "few_enterprises").count == 1


def test_late_and_closed_courses_are_named_before_they_happen(manager, clock):
    clock.set(START - datetime.timedelta(days=2))
    late = publish_course(manager, START)
    internal = publish_course(manager, START, is_public=False)
    assert codes(late) == ["announced_late"]
    assert warning(late, "announced_late").message.count("2.0") == 1
    assert codes(internal) == ["announced_late", "not_open"]


def test_district_events_are_not_judged_for_the_subsidy(users, clock):
    clock.set(START - datetime.timedelta(days=1))
    conference = services.create_event(
        users["admin"],
        {
            "kind": "conference",
            "title": "大会",
            "starts_at": START,
            "ends_at": START + datetime.timedelta(hours=2),
        },
    )
    clock.set(START + datetime.timedelta(hours=3))
    assert codes(conference) == []


def test_warnings_for_many_events_in_a_fixed_number_of_queries(
    manager, registrants, clock, django_assert_max_num_queries
):
    held = [
        genuine_course(
            clock, manager, registrants, starts_at=START + datetime.timedelta(days=d), each=1
        )
        for d in range(4)
    ]
    with django_assert_max_num_queries(8):
        found = services.course_warnings(held)
    assert set(found) == {e.pk for e in held}
