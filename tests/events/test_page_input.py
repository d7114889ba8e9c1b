"""What the events' pages read from the user (found in a review of the pages): a filter number
no event can have, a reason too long for its form (said, and nothing done), a revoked
certificate (not printed again), a removed handout (its file goes too)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.clients import client_for, said_error
from tests.events.conftest import people, run_now
from zhibiao.events import services
from zhibiao.events.models import Certificate, RegistrationStatus

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("value", ["9" * 30, "²", "-1", "abc"])
def test_my_registrations_pass_over_an_event_number_no_event_has(enterprise_user, value):
    page = client_for(enterprise_user).get(reverse("events:registrations"), {"event": value})
    assert page.status_code == 200


def test_a_cancel_reason_too_long_cancels_nothing_and_says_why(course, enterprise_user):
    (registration,) = services.register(enterprise_user, course, people(1))
    url = reverse("events:cancel", args=[registration.pk])
    page = client_for(enterprise_user).post(url, {"reason": "x" * 501}, follow=True)
    assert said_error(page, "500")
    registration.refresh_from_db()
    assert registration.status != RegistrationStatus.CANCELLED


@pytest.fixture
def certificate(course, enterprise_user, manager) -> Certificate:
    (registration,) = services.register(enterprise_user, course, people(1))
    run_now(course)
    services.check_in(manager, course, services.check_in_code(registration))
    run_now(course, ended=True)
    return Certificate.objects.get(registration=registration)


def test_a_revoke_reason_too_long_revokes_nothing(course, manager, certificate):
    url = reverse("events:revoke", args=[course.pk, certificate.pk])
    page = client_for(manager).post(url, {"reason": "x" * 501}, follow=True)
    assert said_error(page, "500")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_a_revoked_certificate_is_not_printed_again(course, manager, certificate):
    token = certificate.registration.token
    pdf = reverse("events:certificate", args=[token])
    assert client_for(None).get(pdf).status_code == 200
    services.revoke_certificate(manager, certificate, reason="签到有误")
    assert client_for(None).get(pdf).status_code == 404
    ticket = client_for(None).get(reverse("events:ticket", args=[token])).content.decode()
    assert pdf not in ticket
    check = client_for(None).get(certificate.get_absolute_url())
    assert check.status_code == 200  # the check page still answers, saying it was revoked


def test_a_removed_handout_takes_its_file_with_it(
    course, manager, django_capture_on_commit_callbacks
):
    material = services.add_material(manager, course, "讲义", SimpleUploadedFile("讲义.pdf", PDF))
    storage, name = material.file.storage, material.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_material(manager, material)
    assert not storage.exists(name)
