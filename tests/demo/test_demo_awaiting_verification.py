"""The demo's one record that a beneficiary entered itself (the first-five-minutes tour in the
README): it waits in staff's verification queue, the enterprise sees the clause as a near miss
held up by it, and only staff's verification makes the clause pay."""

import pytest

from zhibiao.accounts.models import User
from zhibiao.core.attestation import Verification
from zhibiao.measures.services import explain_enterprise
from zhibiao.profiles.models import StandardDrafting
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db


def _local_standard_clause(organisation):
    """The clause for drafting a local standard, in the measures' explanation."""
    ((_rulebook, explanation),) = explain_enterprise(organisation)
    return explanation["FX23-STD-LOCAL"]


def test_the_enterprises_own_record_waits_and_pays_only_once_verified(demo):
    enterprise, admin = (User.objects.get(username=name) for name in ("enterprise", "admin"))
    record = StandardDrafting.objects.get(code__startswith="DB31/T 99402-")
    assert record.organisation == enterprise.organisation
    assert (record.recorded_by, record.verification) == (enterprise, Verification.PENDING)
    assert record.checked_by is None
    assert record in [entry.record for entry in verification.queue(admin)]
    department = User.objects.get(username="department")
    assert record not in [entry.record for entry in verification.queue(department)]

    before = _local_standard_clause(enterprise.organisation)
    assert not before.entitled and before.near_miss
    verification.verify(admin, "standard_drafting", record.pk, note="与发布公告一致")
    after = _local_standard_clause(enterprise.organisation)
    assert after.entitled and after.amount > 0
