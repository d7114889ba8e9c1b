"""Folding a standard's code to its canonical spelling (profiles migration 0003) takes the
enterprise's applications for that standard along: the award already received for it is still
recognised, and not paid a second time under the new spelling."""

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from tests.applications.conftest import claim_on_file
from zhibiao.applications.models import Application, Status
from zhibiao.applications.services.claims import assess
from zhibiao.measures.models import Clause
from zhibiao.profiles.models import StandardDrafting

pytestmark = pytest.mark.django_db

migration = import_module("zhibiao.profiles.migrations.0003_canonical_standard_codes")


def test_an_application_follows_its_standard_to_the_canonical_code(people):
    year = timezone.localdate().year
    typed, canonical = f"GB/T99377-{year}", f"GB/T 99377-{year}"
    StandardDrafting.objects.create(
        organisation=people["xianda"],
        code=typed,
        level="national",
        rank=2,
        year=year,
        verification="verified",
        recorded_by=people["admin"],
    )
    paid = claim_on_file(people, "FX23-STD-NAT-2", Status.DISBURSED, "SBC1", typed, 50000)
    Application.objects.filter(pk=paid.pk).update(amount_approved=50000)
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    before, _line = assess(people["xianda"], clause, typed, timezone.localdate())
    migration.canonical(apps, None)
    assert StandardDrafting.objects.get(organisation=people["xianda"], code=canonical)
    assert Application.objects.get(pk=paid.pk).project == canonical
    result, line = assess(people["xianda"], clause, canonical, timezone.localdate())
    assert line is not None and line.amount == 0  # received already, as before the fold
    assert result.amount == before.amount
