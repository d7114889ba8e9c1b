"""Two staff publishing the same year's call at once: the second meets the database's constraint
after its own check passed, and reads the check's message, not a server error, with nothing of
it saved. The race is made deterministic: the competing cycle appears between the check and the
insert."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.awards.conftest import new_cycle
from tests.clients import client_for
from tests.races import compete_after_check, insert_twin
from zhibiao.audit.models import AuditEntry
from zhibiao.awards.models import Cycle, CycleStep

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def test_two_calls_of_one_year_at_once_are_told_the_year_has_one(world, monkeypatch):
    compete_after_check(monkeypatch, Cycle, insert_twin)
    with pytest.raises(ValidationError) as caught:
        new_cycle(world["admin"])
    (message,) = caught.value.message_dict["year"]
    assert list(caught.value.message_dict) == ["year"]

    page = client_for(world["admin"]).post(
        reverse("awards:cycle_create"),
        {
            "year": YEAR,
            "title": f"{YEAR}年度区长质量奖",
            "call_text": "按照GB/T 19580开展自评并申报。",
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "awards": 1,
            "nominations": 0,
            "site_visits": 1,
        },
    )
    assert page.status_code == 200
    assert page.context["form"].errors["year"] == [message]
    assert not Cycle.objects.exists() and not CycleStep.objects.exists()
    assert not AuditEntry.objects.filter(action="award_cycle.publish").exists()
