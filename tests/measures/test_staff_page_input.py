"""What staff and experts type into the pages, refused with a message that names it and never
a server error or a silent drop (found in a review of the pages): a clause setting the clause
cannot take, a clause's id or title longer than its column, a date outside the years the
platform covers, a conflict declared again, industry codes matching cannot read."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.urls import reverse

from tests.clients import client_for
from tests.factories import make_organisation
from zhibiao.audit.models import AuditEntry
from zhibiao.bases.models import Batch
from zhibiao.committee.models import ConflictOfInterest
from zhibiao.jobs.models import Job
from zhibiao.measures import services
from zhibiao.measures.models import Clause, Mode
from zhibiao.supply.forms import ExpertProfileForm, OfferingForm

pytestmark = pytest.mark.django_db


def test_a_setting_the_clause_cannot_take_is_said(rulebook, users):
    admin = client_for(users["admin"])
    clause = Clause.objects.get(code="FX23-STD-GROUP")
    url = reverse("measures:clause_settings", args=[clause.code])
    page = admin.post(url, {"mode": Mode.AUTO}, follow=True)
    assert page.status_code == 200 and "免申即享" in page.content.decode()
    assert Clause.objects.get(pk=clause.pk).mode == clause.mode
    page = admin.post(url, {"mode": "bogus"}, follow=True)
    assert page.status_code == 200 and "bogus" in page.content.decode()


def test_a_new_clauses_id_and_title_fit_their_columns(rulebook, users):
    data = yaml.safe_load(services.draft_text(rulebook, None))
    data.update(id="FX-" + "X" * 60, title="长" * 300)
    checked = services.check_version_text(rulebook, services.dump_yaml(data))
    assert {error.path for error in checked.errors} >= {"id", "title"}
    page = client_for(users["admin"]).post(
        reverse("measures:clause_new"),
        {"text": services.dump_yaml(data), "rulebook": rulebook.code, "change_note": ""},
    )
    assert page.status_code == 200 and rulebook.clauses.count() == 18


def test_dates_outside_the_platforms_years_are_refused_by_the_forms(users):
    admin = client_for(users["admin"])
    page = admin.post(reverse("bases:batch_create"), {"designated_on": "1999-12-31"})
    assert page.status_code == 200 and "2000" in page.content.decode()
    assert not Batch.objects.exists()
    page = admin.post(reverse("measures:screenings"), {"as_of": "9999-12-31"})
    assert page.status_code == 200 and "2100" in page.content.decode()
    assert not Job.objects.exists()


def test_a_conflict_declared_again_keeps_the_newer_reason(users):
    from zhibiao.committee import services as committee

    expert = users["expert"]
    enterprise = make_organisation()
    committee.declare_conflict(expert, expert, enterprise, "曾任顾问")
    committee.declare_conflict(expert, expert, enterprise, "配偶在该企业任职")
    committee.declare_conflict(expert, expert, enterprise, "配偶在该企业任职")
    conflict = ConflictOfInterest.objects.get(expert=expert, organisation=enterprise)
    assert conflict.reason == "配偶在该企业任职"
    assert AuditEntry.objects.filter(action="conflict.declare").count() == 2


def test_industry_codes_are_what_matching_reads(db):
    form = ExpertProfileForm(
        {"availability": "available", "capacity": 3, "industries": "C, c2711，C38", "bio": ""}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["industries"] == "C, C27, C38"
    refused = OfferingForm({"industries": "制造业, 27, C27"})
    assert not refused.is_valid()
    said = str(refused.errors["industries"])
    assert "制造业" in said and "27" in said


def test_the_next_batch_number_taken_meanwhile_is_a_refusal(users, monkeypatch):
    from zhibiao.bases import services as bases
    from zhibiao.core.errors import ConcurrentChange

    bases.create_batch(users["admin"], designated_on=datetime.date(2024, 5, 1))
    # Two staff read the same highest number and both pass the form's checks at once: the
    # second one's save meets the constraint. (Seen one at a time, the check would say so.)
    monkeypatch.setattr(
        Batch.objects, "order_by", lambda *a: Batch.objects.filter(pk__lt=0).order_by(*a)
    )
    monkeypatch.setattr(Batch, "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(ConcurrentChange):
        bases.create_batch(users["admin"], designated_on=datetime.date(2024, 6, 1))
    assert Batch.objects.count() == 1
