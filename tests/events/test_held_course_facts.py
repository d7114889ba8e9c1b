"""Found in a review of attendance that pays: the facts a course subsidy rests on cannot be
changed by the host after the course, or made up from its paper list alone.

- a held course's time, kind and audience stay as they were (moved later, a course announced
  a day ahead read as announced a month ahead);
- a course hidden and shown again is announced when shown again;
- a paper sheet the host typed in is the host's word alone: it counts once staff import it,
  as recorded at the import (a later change of the importer's role changes no count);
- a revoked certificate takes its attendee out of the count, and out of the survey."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.clients import token_client
from tests.events.conftest import check_in_all, genuine_course, local, people, publish_course
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.events import services
from zhibiao.events.errors import Refused
from zhibiao.events.models import Certificate, Registration

pytestmark = pytest.mark.django_db
START = local(2025, 6, 10, 14)


def _registrants():
    return [make_user(Role.ENTERPRISE) for _ in range(3)]


def test_a_held_course_cannot_be_moved_to_borrow_notice(manager, admin_user, clock):
    clock.set(START - datetime.timedelta(days=1))  # announced one day ahead: too late
    course = publish_course(manager, START)
    registrations = [r for u in _registrants() for r in services.register(u, course, people(2))]
    clock.set(START + datetime.timedelta(minutes=1))
    check_in_all(clock, manager, course, registrations)
    clock.set(START + datetime.timedelta(days=30))
    later = START + datetime.timedelta(days=10)
    for actor in (manager, admin_user):
        with pytest.raises(ValidationError) as refused:
            services.update_event(
                actor,
                course,
                {"starts_at": later, "ends_at": later + datetime.timedelta(hours=2)},
            )
        assert {"starts_at", "ends_at"} <= set(refused.value.message_dict)
    course.refresh_from_db()
    assert course.starts_at == START
    assert not services.qualify([course])[course.pk].qualifies
    services.update_event(manager, course, {"description": "课后补充了讲义"})  # the rest may change


def test_a_course_shown_again_is_announced_when_shown_again(manager, clock):
    clock.set(START - datetime.timedelta(days=30))
    course = publish_course(manager, START)
    clock.advance(minutes=1)
    services.update_event(manager, course, {"is_public": False})
    clock.set(START - datetime.timedelta(hours=2))
    services.update_event(manager, course, {"is_public": True})
    assert not services.qualify([course])[course.pk].announced_in_time


def _sheet(registrations):
    return [
        (n + 2, {"姓名": r.name, "手机号": r.phone, "签到": "✓"})
        for n, r in enumerate(registrations)
    ]


def test_a_sheet_the_host_typed_in_counts_only_once_staff_import_it(manager, admin_user, clock):
    clock.set(START - datetime.timedelta(days=10))
    course = publish_course(manager, START)
    clock.advance(days=1)
    registrations = [r for u in _registrants() for r in services.register(u, course, people(2))]
    clock.set(START + datetime.timedelta(days=2))
    services.import_attendance(manager, course, ["姓名", "手机号", "签到"], _sheet(registrations))
    judged = services.qualify([course])[course.pk]
    assert (judged.attendees, judged.qualifies) == (0, False)
    other = publish_course(manager, START + datetime.timedelta(days=20))
    clock.set(START + datetime.timedelta(days=19))  # the same kind of list, imported by staff
    again = [r for u in _registrants() for r in services.register(u, other, people(2))]
    clock.set(START + datetime.timedelta(days=25))
    services.import_attendance(admin_user, other, ["姓名", "手机号", "签到"], _sheet(again))
    assert services.qualify([other])[other.pk].attendees == 6


def _course_checked_in_from_a_sheet(importer, manager, clock, days_after: int):
    """A course announced ten days ahead, six people of three other enterprises on it, their
    sheet imported by `importer` after it (`days_after` shifts the whole story)."""
    starts = START + datetime.timedelta(days=days_after)
    clock.set(starts - datetime.timedelta(days=10))
    course = publish_course(manager, starts)
    clock.advance(days=1)
    registrations = [r for u in _registrants() for r in services.register(u, course, people(2))]
    clock.set(starts + datetime.timedelta(days=2))
    services.import_attendance(importer, course, ["姓名", "手机号", "签到"], _sheet(registrations))
    return course


def test_who_imported_a_sheet_is_kept_whatever_their_role_becomes(manager, clock):
    staff = make_user(Role.ADMIN)
    by_staff = _course_checked_in_from_a_sheet(staff, manager, clock, days_after=0)
    by_host = _course_checked_in_from_a_sheet(manager, manager, clock, days_after=40)
    methods = {
        course.pk: set(course.registrations.values_list("check_in_method", flat=True))
        for course in (by_staff, by_host)
    }
    assert methods == {by_staff.pk: {"staff_sheet"}, by_host.pk: {"sheet"}}
    url = f"/api/v1/events/{by_host.pk}/registrations"
    listed = token_client(manager).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert {(r["check_in_method"], r["check_in_method_name"]) for r in listed["items"]} == {
        ("sheet", "Attendance sheet, imported by the host")
    }
    before = services.qualify([by_staff, by_host])
    assert (before[by_staff.pk].attendees, before[by_host.pk].attendees) == (6, 0)
    # The staff member leaves the district's staff; the host's manager joins it.
    staff.role, staff.organisation = Role.BASE_MANAGER, manager.organisation
    staff.save()
    manager.role, manager.organisation = Role.ADMIN, None
    manager.save()
    after = services.qualify([by_staff, by_host])
    assert (after[by_staff.pk].attendees, after[by_host.pk].attendees) == (6, 0)
    assert after[by_staff.pk].qualifies and not after[by_host.pk].qualifies


def test_existing_sheets_take_their_importers_role_as_it_is_now(manager, admin_user, clock):
    """The data migration: the role at the import was not recorded; the role now is the best
    that can be known, and what the counts read until then."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("zhibiao.events.migrations.0007_check_in_by_district_staff")
    root = make_user(Role.ENTERPRISE, is_superuser=True)
    courses = [
        _course_checked_in_from_a_sheet(importer, manager, clock, days_after=40 * n)
        for n, importer in enumerate((admin_user, root, manager))
    ]
    desk = genuine_course(clock, manager, _registrants(), starts_at=START + datetime.timedelta(200))
    Registration.objects.filter(check_in_method="staff_sheet").update(check_in_method="sheet")
    migration.from_importers_role_now(apps, None)
    methods = [
        set(course.registrations.values_list("check_in_method", flat=True))
        for course in (*courses, desk)
    ]
    assert methods == [{"staff_sheet"}, {"staff_sheet"}, {"sheet"}, {"typed"}]


def test_a_revoked_certificate_takes_its_attendee_out(manager, admin_user, clock):
    course = genuine_course(clock, manager, _registrants(), starts_at=START)
    assert services.qualify([course])[course.pk].attendees == 6
    certificate = Certificate.objects.filter(registration__event=course).first()
    services.revoke_certificate(admin_user, certificate, reason="未到场，证书误发")
    assert services.qualify([course])[course.pk].attendees == 5
    registration = certificate.registration
    with pytest.raises(Refused):
        services.submit_feedback(
            registration.registered_by, registration, satisfaction=5, usefulness=5
        )
