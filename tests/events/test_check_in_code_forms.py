"""A check-in code is accepted however it was typed (issue 13, item 4): in lower case, with
spaces for or around its dashes, without dashes, in full-width characters or with another
dash. The desk's page and the API read it through the same `codes.parse`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.events.conftest import people, run_now
from zhibiao.events import codes, services
from zhibiao.events.models import Registration

pytestmark = pytest.mark.django_db


def typed_forms(code: str) -> dict[str, str]:
    """The ways people type a printed code such as `1024-7KK-ZT5Q2M7WRA`."""
    number, days, signature = code.split("-")
    # A Chinese input method in full-width mode: U+FF01.. mirror ASCII ! ..
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() or c == "-" else c for c in code)
    return {
        "printed": code,
        "lower case": code.lower(),
        "spaces for dashes": f"{number} {days} {signature}",
        "spaces around dashes": f" {number} - {days} - {signature} ",
        "grouped in fours": f"{number} {days} {signature[:4]} {signature[4:8]} {signature[8:]}",
        "no dashes": f"{number}{days}{signature}",
        "no dashes, lower case": f"{number}{days}{signature}".lower(),
        "spaces and lower case": f"{number} {days} {signature}".lower(),
        "full width": full_width,
        "ideographic spaces": f"{number}\u3000{days}\u3000{signature}",
        "en and em dashes": f"{number}\u2013{days}\u2014{signature}",
    }


FORMS = list(typed_forms("1024-7KK-ZT5Q2M7WRA"))


@pytest.mark.parametrize("form", FORMS)
def test_every_typed_form_reads_as_the_printed_code(form):
    code = "1024-7KK-ZT5Q2M7WRA"
    assert codes.normalise(typed_forms(code)[form]) == code
    assert codes.parse(typed_forms(code)[form]) == codes.parse(code)


@pytest.mark.parametrize(
    "text",
    [
        "1024-7KK",  # no signature
        "ABCD-7KK-ZT5Q2M7WRA",  # the number is not a number
        "1024-7KK-ZT5Q2M7WR?",  # a stray character
    ],
)
def test_what_is_not_a_code_stays_refused(text):
    assert codes.parse(text) is None


@pytest.fixture
def seated(course, enterprise_user):
    """A seat for each form (the course holds three unless told otherwise)."""
    course.capacity = None
    course.quota_per_enterprise = None
    course.save(update_fields=["capacity", "quota_per_enterprise"])
    created = services.register(enterprise_user, course, people(len(FORMS)))
    run_now(course)
    return created


@pytest.mark.parametrize("index", range(len(FORMS)))
def test_the_service_checks_in_each_form(seated, manager, course, index):
    person = seated[index]
    typed = typed_forms(services.check_in_code(person))[FORMS[index]]
    assert services.check_in(manager, course, typed).pk == person.pk
    assert Registration.objects.get(pk=person.pk).status == "attended"


def test_a_code_a_character_short_or_long_is_refused_not_misread(seated, manager, course):
    """Without dashes, a code one character short still has the shape of some code (the cut
    moves); its signature then fails, so it is refused, never taken for someone else."""
    number, days, signature = services.check_in_code(seated[0]).split("-")
    for typed in (f"{number}{days}{signature[:-1]}", f"{number}{days}{signature}A"):
        with pytest.raises(ValidationError):
            services.check_in(manager, course, typed)
    assert not Registration.objects.filter(status="attended").exists()


def test_the_desk_page_checks_in_each_form(seated, manager, course):
    client = client_for(manager)
    url = reverse("events:check_in", args=[course.pk])
    for person, form in zip(seated, FORMS, strict=True):
        typed = typed_forms(services.check_in_code(person))[form]
        shown = client.get(url, {"code": typed}).content.decode()
        assert person.name in shown and "check-in-refused" not in shown, form
        done = client.post(url, {"code": typed}, headers={"HX-Request": "true"}).content.decode()
        assert "check-in-done" in done and person.name in done, form
    assert Registration.objects.filter(event=course, status="attended").count() == len(FORMS)


def test_the_api_checks_in_each_form(seated, manager, course):
    api = token_client(manager)
    url = f"/api/v1/events/{course.pk}/check-in"
    for person, form in zip(seated, FORMS, strict=True):
        typed = typed_forms(services.check_in_code(person))[form]
        answer = api.post(url, {"code": typed}, content_type="application/json")
        assert answer.status_code == 200, form
        assert answer.json()["status"] == "attended"
    assert Registration.objects.filter(event=course, status="attended").count() == len(FORMS)
