"""Values in a URL that cannot be right are not a server error: an implausible year is a 404,
odd digits in a list's filters are ignored."""

import pytest
from django.urls import reverse

from tests.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [1, 1999, 9999])
def test_an_implausible_year_is_a_404(db, admin_user, year):
    assert client_for(None).get(reverse("bases:year", args=[year])).status_code == 404
    assert client_for(None).get(f"/api/v1/bases/years/{year}").status_code == 404


def test_odd_digits_in_filters_are_ignored(admin_user, enterprise_user):
    assert client_for(admin_user).get("/events/satisfaction/?year=²").status_code == 200
    assert client_for(enterprise_user).get("/events/registrations/?event=²").status_code == 200
