"""The view of risk as JSON, for district staff: the page's three lists, each as
{"count": N, "items": [...]} with the same `limit` and `offset`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.apischema import row_schema
from zhibiao.core.years import FIRST_YEAR, LAST_YEAR
from zhibiao.risks import services

router = Router(tags=["risks"], auth=required_auth)


class RiskFilters(Schema):
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


#: The rows are the services' own (their fields, and the links they compute), less what the
#: page alone uses: a record's project key and event year, a registration's id.
RecordOut = row_schema(services.FlaggedRecord, "RecordOut", exclude=("key", "year"))
FactRiskOut = row_schema(
    services.FactRisk,
    "FactRiskOut",
    types={"records": list[RecordOut]},  # type: ignore[valid-type]
    properties={"url": str, "file_url": str},
)
FileUseOut = row_schema(services.FileUse, "FileUseOut", properties={"url": str})


class SharedFileOut(Schema):
    sha256: str
    enterprises: int
    uses: list[FileUseOut]  # type: ignore[valid-type]


PhoneUseOut = row_schema(services.PhoneUse, "PhoneUseOut", exclude=("registration_id",))


class SharedPhoneOut(Schema):
    phone: str
    uses: list[PhoneUseOut]  # type: ignore[valid-type]


class FactRisksPage(Schema):
    count: int
    items: list[FactRiskOut]  # type: ignore[valid-type]


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
