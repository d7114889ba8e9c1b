"""API of the standards app: the catalogue and its search, validity checks, declarations,
leaders and group standards. The catalogue and the public lists need no credentials; a check
needs a signed-in user and belongs to them alone."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.core.apischema import DbInt, Id, paginate
from zhibiao.standards import services
from zhibiao.standards.documents import describe
from zhibiao.standards.models import (
    Check,
    Declaration,
    GroupStandard,
    LeaderEntry,
    Level,
    Standard,
    Status,
)
from zhibiao.standards.search import search

router = Router(tags=["standards"], auth=optional_auth)


class StandardOut(Schema):
    id: int
    code: str
    base: str
    year: int | None
    title: str
    title_en: str
    level: str
    level_name: str = Field(alias="get_level_display")
    mandatory: bool | None
    status: str
    status_name: str = Field(alias="get_status_display")
    published_on: datetime.date | None
    effective_on: datetime.date | None
    withdrawn_on: datetime.date | None
    ics: str
    ccs: str
    source: str


class LinkOut(Schema):
    code: str
    kind: str
    kind_name: str


class StandardDetailOut(StandardOut):
    replaced_by: list[LinkOut]
    replaces: list[LinkOut]

    @staticmethod
    def resolve_replaced_by(obj: Standard) -> list[dict]:
        return [
            {"code": link.new.code, "kind": link.kind, "kind_name": link.get_kind_display()}
            for link in obj.replaced_by_links.select_related("new")
        ]

    @staticmethod
    def resolve_replaces(obj: Standard) -> list[dict]:
        return [
            {"code": link.old.code, "kind": link.kind, "kind_name": link.get_kind_display()}
            for link in obj.replaces_links.select_related("old")
        ]


class SearchOut(Schema):
    count: int
    items: list[StandardOut]


class SearchFilter(Schema):
    q: str = ""
    level: Level | None = None
    status: Status | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10000)


@router.get("", response=SearchOut, summary="Search the catalogue")
def search_standards(request: HttpRequest, filters: Query[SearchFilter]):
    """By code (exact, prefix, with or without year, any written form: `GB/T 42061-2022`,
    `gbt42061`, `GB/T 4206`) or by words of the Chinese title (`医疗器械 质量管理`), ranked;
    filter by `level` and `status`."""
    results = search(
        filters.q,
        level=filters.level,
        status=filters.status,
        offset=filters.offset,
        limit=filters.limit,
    )
    return {"count": results.total, "items": results.standards}


@router.get("/{int:standard_id}", response=StandardDetailOut, summary="One standard")
def get_standard(request: HttpRequest, standard_id: Id):
    return Standard.objects.get_for(request.auth, "view", standard_id)


# --- Validity checks -------------------------------------------------------------------------


class ChainStep(Schema):
    code: str
    kind: str
    status: str


class CheckItemOut(Schema):
    code: str
    found: list[str]
    count: int
    dated: bool
    status: str = Field(alias="verdict")
    status_name: str = Field(alias="get_verdict_display")
    title: str
    replaced_by: str
    current: str
    chain: list[ChainStep]
    note: str
    locations: list[str]

    @staticmethod
    def resolve_locations(obj) -> list[str]:
        return [describe(where) for where in obj.locations]


class CheckOut(Schema):
    id: int
    name: str
    state: str
    error: str
    summary: dict
    job_url: str | None
    report_xlsx: str | None
    items: list[CheckItemOut]

    @staticmethod
    def resolve_job_url(obj: Check) -> str | None:
        return obj.job.get_absolute_url() if obj.job_id else None

    @staticmethod
    def resolve_report_xlsx(obj: Check) -> str | None:
        from django.urls import reverse

        return reverse("standards:check_xlsx", args=[obj.pk]) if obj.state == "done" else None

    @staticmethod
    def resolve_items(obj: Check) -> list:
        return list(obj.items.all())


@router.post(
    "/check",
    response={201: CheckOut},
    auth=required_auth,
    summary="Check a document's cited standards",
)
def create_check(
    request: HttpRequest,
    file: UploadedFile | None = File(None),  # noqa: B008  django-ninja's parameter marker
    text: str = Form(""),
):
    """Upload `file` (docx, xlsx, pdf or txt) or send `text` (form field). Small inputs are
    checked at once; a large file is checked in the background: `state` is then "queued",
    `job_url` shows the progress, and GET /standards/checks/{id} gives the report."""
    check = services.start_check(request.auth, upload=file, text=text)
    return 201, check


@router.get(
    "/checks/{int:check_id}",
    response=CheckOut,
    auth=required_auth,
    summary="A validity check's report",
)
def get_check(request: HttpRequest, check_id: Id):
    return Check.objects.get_for(request.auth, "view", check_id)


# --- Declarations, leaders, group standards -------------------------------------------------


class DeclarationOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str = Field(alias="enterprise.name")
    product: str
    product_category: str
    standards: list[str]
    own_code: str
    own_title: str
    indicators: str
    statement: str
    published_at: datetime.datetime | None
    flagged: bool = Field(alias="is_flagged")
    flag_reason: str

    @staticmethod
    def resolve_standards(obj: Declaration) -> list[str]:
        return [row.code for row in obj.standards.all()]


@router.get("/declarations", response=list[DeclarationOut], summary="Public self-declarations")
@paginate
def list_declarations(request: HttpRequest, code: str = ""):
    """Published declarations; `code` keeps those that name a standard code."""
    rows = (
        Declaration.objects.published().select_related("enterprise").prefetch_related("standards")
    )
    if code:
        rows = rows.filter(standards__code__icontains=code.strip()).distinct()
    return rows


class LeaderOut(Schema):
    enterprise_id: int
    enterprise: str = Field(alias="enterprise.name")
    product: str
    product_category: str = Field(alias="scheme.product_category")
    year: int = Field(alias="scheme.year")
    rank: int
    score: float


@router.get("/leaders", response=list[LeaderOut], summary="企业标准领跑者 of a year")
def list_leaders(request: HttpRequest, year: DbInt):
    return (
        LeaderEntry.objects.leaders()
        .filter(scheme__year=year)
        .select_related("enterprise", "scheme")
        .order_by("scheme__product_category", "rank")
    )


class GroupStandardOut(Schema):
    """A group standard with its adoption and the provenance of what the chamber recorded."""

    id: int
    code: str = Field(alias="standard.code")
    title: str = Field(alias="standard.title")
    status: str = Field(alias="standard.status")
    chamber_id: int
    chamber: str = Field(alias="chamber.name")
    published_on: datetime.date | None = Field(alias="standard.published_on")
    adopted_by_id: int | None = Field(
        description="The adopting department; null when none is recorded, or when the "
        "recorded adoption was rejected at verification (then the chamber and district "
        "administrators alone still read it)."
    )
    adopted_by: str | None
    adopted_on: datetime.date | None
    adoption_document: str
    verification: str = Field(
        description="Whether what the chamber recorded (drafters and adoption) was verified by "
        "district staff or the adopting department: pending, verified or rejected. Only a "
        "verified adoption is a fact."
    )
    recorded_by: str | None = Field(
        description="Who recorded it: the organisation the user acted for, or their role."
    )
    checked_by: str | None = Field(
        description="Who verified or rejected it: the organisation the user acted for, or "
        "their role; null while pending."
    )

    @staticmethod
    def resolve_adopted_by_id(obj: GroupStandard) -> int | None:
        return obj.adopted_by_id if obj.adoption_shown else None

    @staticmethod
    def resolve_adopted_by(obj: GroupStandard) -> str | None:
        return obj.adopted_by.name if obj.adoption_shown else None

    @staticmethod
    def resolve_adopted_on(obj: GroupStandard) -> datetime.date | None:
        return obj.adopted_on if obj.adoption_shown else None

    @staticmethod
    def resolve_adoption_document(obj: GroupStandard) -> str:
        return obj.adoption_document if obj.adoption_shown else ""

    @staticmethod
    def resolve_recorded_by(obj: GroupStandard) -> str | None:
        return obj.recorder_name

    @staticmethod
    def resolve_checked_by(obj: GroupStandard) -> str | None:
        return obj.checker_name


@router.get(
    "/group-standards",
    response=list[GroupStandardOut],
    summary="Group standards of chambers, with their adopting department",
)
@paginate
def list_group_standards(request: HttpRequest, adopted: bool | None = None):
    """Group standards, newest first. `adopted=true` keeps those with a verified adoption by a
    department (the adoption the measures pay on); `adopted=false` the others: none recorded,
    or one still awaiting verification or rejected."""
    rows = (
        GroupStandard.objects.restrict(request.auth, "view")
        .for_reader(request.auth)
        .select_related("standard", "chamber", "adopted_by")
    )
    if adopted is not None:
        rows = rows.adopted() if adopted else rows.not_adopted()
    return rows
