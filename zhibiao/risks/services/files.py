"""(b) One evidence file (by content hash) in applications of different enterprises."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from zhibiao.applications.models import Evidence
from zhibiao.applications.models import Status as ApplicationStatus
from zhibiao.risks.services.common import _ensure_staff, application_url, enterprise_file_url


@dataclass(frozen=True)
class FileUse:
    application_id: int
    number: str
    status: str
    enterprise_id: int
    enterprise: str
    item: str
    file_name: str
    uploaded_at: datetime.datetime

    @property
    def url(self) -> str:
        return application_url(self.application_id)

    @property
    def file_url(self) -> str:
        return enterprise_file_url(self.enterprise_id)


@dataclass
class SharedFile:
    sha256: str
    uses: list[FileUse] = field(default_factory=list)

    @property
    def enterprises(self) -> int:
        return len({use.enterprise_id for use in self.uses})

    @property
    def file_names(self) -> list[str]:
        return sorted({use.file_name for use in self.uses})


def shared_files(user) -> list[SharedFile]:
    """(b) Files (by SHA-256 of their content) that are current evidence in applications of two
    or more enterprises. Superseded files are left out (a replaced file is not relied on), and
    so are withdrawn applications; a rejected one stays, since a file that failed once and comes
    back under another name is what staff want to see. One enterprise reusing its own file in
    several applications is not flagged. Two queries: the aggregation, and its rows."""
    _ensure_staff(user)
    current = Evidence.objects.filter(superseded_by__isnull=True).exclude(
        application__status=ApplicationStatus.WITHDRAWN
    )
    shared = (
        current.order_by()
        .values("sha256")
        .annotate(enterprises=Count("application__enterprise", distinct=True))
        .filter(enterprises__gte=2)
        .values("sha256")
    )
    rows = (
        current.filter(sha256__in=shared)
        .order_by("sha256", "application__enterprise__name", "application__number", "item")
        .values_list(
            "sha256",
            "application_id",
            "application__number",
            "application__status",
            "application__enterprise_id",
            "application__enterprise__name",
            "item",
            "original_name",
            "uploaded_at",
        )
    )
    statuses = dict(ApplicationStatus.choices)
    groups: dict[str, SharedFile] = {}
    for sha, pk, number, status, org, name, item, file_name, uploaded_at in rows:
        group = groups.setdefault(sha, SharedFile(sha))
        group.uses.append(
            FileUse(
                pk,
                number,
                str(statuses.get(status, status)),
                org,
                name,
                item,
                file_name,
                uploaded_at,
            )
        )
    return sorted(groups.values(), key=lambda g: (-g.enterprises, g.sha256))
