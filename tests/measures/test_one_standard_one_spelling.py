"""A standard drafted is recorded under its canonical code: written two ways it is one standard,
refused the second time, and never paid twice (the facts match records by their code)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.factories import AdminFactory, make_organisation
from zhibiao.profiles.models import StandardDrafting

pytestmark = pytest.mark.django_db


def _drafting(organisation, code: str) -> StandardDrafting:
    return StandardDrafting(
        organisation=organisation,
        code=code,
        level="national",
        rank=1,
        year=timezone.localdate().year,
    )


def test_a_code_is_kept_in_canonical_form_and_a_second_spelling_is_refused():
    organisation = make_organisation()
    year = timezone.localdate().year
    first = _drafting(organisation, f"ＧＢ／Ｔ　４３２１０－{year}")
    first.full_clean()
    first.save()
    assert first.code == f"GB/T 43210-{year}"
    with pytest.raises(ValidationError) as refused:
        _drafting(organisation, f"GB/T43210-{year}").full_clean()
    assert refused.value.message_dict == {
        "__all__": [str(StandardDrafting._meta.constraints[0].violation_error_message)]
    }
    with pytest.raises(ValidationError) as refused:
        _drafting(organisation, "质量手册第三版").full_clean()
    assert "code" in refused.value.message_dict


def test_the_admin_site_stores_the_canonical_code():
    organisation = make_organisation()
    year = timezone.localdate().year
    admin = AdminFactory(is_superuser=True)
    answer = client_for(admin).post(
        reverse("admin:profiles_standarddrafting_add"),
        {
            "organisation": organisation.pk,
            "code": f"gb/t43210—{year}",
            "title": "",
            "level": "national",
            "rank": 1,
            "year": year,
            "city_grant": "0",
            "note": "",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:1500]
    assert StandardDrafting.objects.get(organisation=organisation).code == f"GB/T 43210-{year}"
