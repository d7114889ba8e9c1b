"""An expert id no database row can have, posted to the assignment form, is a message, not a
server error: the form's many-to-many box is the house's bounded one (core.forms)."""

import pytest
from django.urls import reverse

from tests.applications.conftest import quick_application, submit_with_evidence
from tests.clients import client_for
from zhibiao.core.workflow import take

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["9" * 30, "²"])
def test_an_expert_id_no_row_can_have_is_refused(people, value):
    application = submit_with_evidence(people, quick_application(people))
    application = take(people["admin"], application, "accept")
    url = reverse("applications:assign", args=[application.pk])
    page = client_for(people["admin"]).post(url, {"reviewers": [value]})
    assert page.status_code in (200, 302)
    assert not application.reviews.exists()
