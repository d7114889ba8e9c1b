"""What the three computations share: who may see them, names of people, links."""

from __future__ import annotations

from django.urls import reverse

from zhibiao.accounts.permissions import ensure, is_district_admin


def _ensure_staff(user) -> None:
    """The view of risk names enterprises and people under suspicion: district staff only."""
    ensure(is_district_admin(user))


def _person(first: str | None, last: str | None, username: str | None) -> str:
    """A user's name as User.__str__ gives it, from values rather than an instance."""
    return f"{first or ''} {last or ''}".strip() or (username or "")


def enterprise_file_url(organisation_id: int) -> str:
    return reverse("dashboard:file", args=[organisation_id])


def application_url(application_id: int) -> str:
    return reverse("applications:detail", args=[application_id])
