"""The view of risk as JSON, for district staff: the page's three lists, each as
{"count": N, "items": [...]} with the same `limit` and `offset`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.years import FIRST_YEAR, LAST_YEAR
from zhibiao.risks import services

router = Router(tags=["risks"], auth=required_auth)


class RiskFilters(Schema):
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class RecordOut(Schema):
    fact: str
    kind: str
    label: str
    recorded_by: str
    recorder_organisation: str
    recorder_role: str
    verification: str
    verification_label: str
    checked_by: str


class FactRiskOut(Schema):
    source: str
    enterprise_id: int
    enterprise: str
    clause: str
    title: str
    amount: Decimal
    year: int
    project: str
    application_id: int | None
    number: str
    status: str
    url: str
    file_url: str
    records: list[RecordOut]


class FileUseOut(Schema):
    application_id: int
    number: str
    status: str
    enterprise_id: int
    enterprise: str
    item: str
    file_name: str
    uploaded_at: datetime.datetime
    url: str


class SharedFileOut(Schema):
    sha256: str
    enterprises: int
    uses: list[FileUseOut]


class PhoneUseOut(Schema):
    name: str
    event_id: int
    event: str
    starts_at: datetime.datetime
    organisation_id: int
    organisation: str
    registered_by: str
    status: str


class SharedPhoneOut(Schema):
    phone: str
    uses: list[PhoneUseOut]


class FactRisksPage(Schema):
    count: int
    items: list[FactRiskOut]


class SharedFilesPage(Schema):
    count: int
    items: list[SharedFileOut]


class SharedPhonesPage(Schema):
    count: int
    items: list[SharedPhoneOut]


class RisksOut(Schema):
    year: int | None
    facts: FactRisksPage
    files: SharedFilesPage
    phones: SharedPhonesPage


def _page(rows: list, filters: RiskFilters) -> dict:
    return {"count": len(rows), "items": rows[filters.offset : filters.offset + filters.limit]}


@router.get("", response=RisksOut, summary="The view of risk (district staff)")
def risks(request: HttpRequest, filters: Query[RiskFilters]):
    """Entitlements and applications resting on facts the beneficiary's side recorded; evidence
    files in applications of different enterprises; mobile numbers registered by several
    organisations (`year`: events starting that year). Each list is paginated alike."""
    user = request.auth
    if not is_district_admin(user):
        raise PermissionDenied(gettext("The view of risk is for district staff."))
    return {
        "year": filters.year,
        "facts": _page(services.fact_risks(user), filters),
        "files": _page(services.shared_files(user), filters),
        "phones": _page(services.shared_phones(user, filters.year), filters),
    }
