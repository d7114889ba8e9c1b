"""Publishing events: who may host, creating and correcting an event, its speakers and its
materials. Every operation checks the actor, writes one audit entry and notifies after the
commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, has_role, is_district_admin
from zhibiao.audit.services import changes, record
from zhibiao.bases.models import BaseStatus, TrainingBase
from zhibiao.core.permissions import ensure_can
from zhibiao.core.uploads import DOCX, JPEG, PDF, PNG, XLSX, accept_upload
from zhibiao.directory.models import Organisation
from zhibiao.events.models import (
    Event,
    HostKind,
    Material,
    Speaker,
)
from zhibiao.events.services.qualification import audience_reaches_others
from zhibiao.events.services.steps import notify_promoted, promote_waiting

MATERIAL_KINDS = (PDF, DOCX, XLSX, JPEG, PNG)


#: Fields of an event every host may set; administrators also choose the host.
EVENT_FIELDS = [
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "description",
    "is_public",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "quota_per_enterprise",
    "audience",
    "audience_towns",
    "audience_roles",
]
HOST_FIELDS = ["host_kind", "host_base", "host_chamber"]
SPEAKER_FIELDS = ["member", "name", "title", "topic"]


#: The roles that host events: district staff (any host), base managers (at their base),
#: chamber users (as their chamber). The pages' and the API's gate for the hosts' operations;
#: which events a host runs is `Event.objects.managed_by`, and who may publish one `may_host`.
HOST_ROLES = (Role.ADMIN, Role.BASE_MANAGER, Role.CHAMBER)


def _own_host(user) -> dict[str, Any] | None:
    """The host a user other than district staff publishes as: the active base they manage, or
    the chamber they act for; None if they host nothing (a suspended base hosts nothing)."""
    if not has_role(user, *HOST_ROLES) or not user.organisation_id:
        return None
    if user.role == Role.BASE_MANAGER:
        base = (
            TrainingBase.objects.restrict(user, "manage").filter(status=BaseStatus.ACTIVE).first()
        )
        if base is None:
            return None
        return {"host_kind": HostKind.BASE, "host_base": base, "host_chamber": None}
    if user.role == Role.CHAMBER:
        return {"host_kind": HostKind.CHAMBER, "host_base": None, "host_chamber": user.organisation}
    return None


def may_host(user) -> bool:
    """Who may publish events, for the pages and the API alike: district staff (as any host),
    a base manager at an active base, a chamber user."""
    return is_district_admin(user) or _own_host(user) is not None


def _assign(event: Event, data: Mapping[str, Any], allowed: list[str]) -> None:
    refused = sorted(set(data) - set(allowed))
    if refused:
        raise ValidationError({name: gettext("You may not change this field.") for name in refused})
    for name, value in data.items():
        model_field = event._meta.get_field(name)
        if value is None and not model_field.null:
            value = [] if name in ("audience_towns", "audience_roles") else ""
        setattr(event, name, value)


def _organisers_of(event: Event, actor) -> list[Organisation]:
    if event.host_kind == HostKind.BASE:
        return [event.host_base.organisation]
    if event.host_kind == HostKind.CHAMBER:
        return [event.host_chamber]
    return [actor.organisation] if actor.organisation_id else []


@transaction.atomic
def create_event(
    actor, data: Mapping[str, Any], *, audience_organisations: Iterable[Organisation] = ()
) -> Event:
    """Publish an event. Hosts other than the district's staff host at their own base or
    chamber; the host decides who may see it (public or not) and who may register."""
    ensure(may_host(actor))
    event = Event(created_by=actor)
    if is_district_admin(actor):
        _assign(event, data, EVENT_FIELDS + HOST_FIELDS)
    else:
        _assign(event, data, EVENT_FIELDS)
        for name, value in _own_host(actor).items():
            setattr(event, name, value)
    event.full_clean()
    # The notice a course gives counts towards a base's subsidy; an internal event has none yet
    # (it is announced when it is first made public: Event.save).
    event.announced_at = timezone.now() if event.is_public else None
    event.save()
    event.organisers.set(_organisers_of(event, actor))
    event.audience_organisations.set(list(audience_organisations))
    record(actor, "event.create", event, host=event.host_kind, capacity=event.capacity)
    return event


@transaction.atomic
def update_event(
    actor,
    event: Event,
    data: Mapping[str, Any],
    *,
    audience_organisations: Iterable[Organisation] | None = None,
) -> Event:
    """Change an event; more seats (or no limit any more) give the waiting list its seats."""
    ensure_can(actor, "manage", event)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    allowed = EVENT_FIELDS + HOST_FIELDS if is_district_admin(actor) else EVENT_FIELDS
    before = {name: getattr(locked, name) for name in allowed}
    _assign(locked, data, allowed)
    locked.full_clean()
    _check_held_facts(locked, before, audience_organisations)
    if locked.announced_at is not None and locked.starts_at < before["starts_at"]:
        # Moved earlier: the notice people had was for the later date, so the announcement of
        # this date is now (moving a public course forward cannot borrow the old notice).
        locked.announced_at = timezone.now()
    if locked.is_public and not before["is_public"]:
        # Shown again after being hidden: nobody could learn of it meanwhile, so its notice
        # runs from now, not from the first time it was public.
        locked.announced_at = timezone.now()
    invited_before = set(locked.audience_organisations.values_list("pk", flat=True))
    invited_now = (
        invited_before
        if audience_organisations is None
        else {organisation.pk for organisation in audience_organisations}
    )
    now = {name: getattr(locked, name) for name in AUDIENCE_FIELDS}
    if (
        locked.announced_at is not None
        and _reaches_others(locked, invited_now, now)
        and not _reaches_others(locked, invited_before, {**now, **before})
    ):
        # Opened to others after admitting only the host: shown, but nobody else could come
        # meanwhile, so its notice runs from now (zhibiao.events.services.qualification).
        locked.announced_at = timezone.now()
    locked.save()
    if audience_organisations is not None:
        locked.audience_organisations.set(list(audience_organisations))
    if "host_kind" in data or "host_base" in data or "host_chamber" in data:
        locked.organisers.set(_organisers_of(locked, actor))
    promoted = promote_waiting(locked)
    diff = changes(locked, before, allowed)
    record(
        actor,
        "event.update",
        locked,
        changes={k: [str(v) for v in pair] for k, pair in diff.items()},
        promoted=[r.pk for r in promoted],
    )
    notify_promoted(promoted)
    event.refresh_from_db()
    return event


def _reaches_others(event: Event, invited: set[int], values: Mapping[str, Any]) -> bool:
    """`audience_reaches_others` of the event with its audience as `values` hold it (the
    fields before or after a change)."""
    return audience_reaches_others(
        values["audience"],
        values["audience_towns"],
        values["audience_roles"],
        invited,
        event.host_base.organisation_id if event.host_base_id else None,
    )


#: The fields that say who may come (with `audience_organisations`).
AUDIENCE_FIELDS = ("audience", "audience_towns", "audience_roles")

#: What an event was when people came: once it has begun, these are the facts its attendance
#: (and a base's course subsidy: zhibiao.events.services.qualification) rests on.
HELD_FIELDS = (
    "kind",
    "starts_at",
    "ends_at",
    "is_public",
    "audience",
    "audience_towns",
    "audience_roles",
)


def _check_held_facts(event: Event, before: Mapping[str, Any], audience_organisations) -> None:
    """Refuse, once the event has begun, a change of its time, kind or audience: moved later
    after the fact, a course announced a day ahead would read as announced a month ahead;
    hidden and shown again, as open to all when nobody could find it."""
    if timezone.now() < before["starts_at"]:
        return
    for name in ("starts_at", "ends_at"):
        if abs(getattr(event, name) - before[name]) < datetime.timedelta(minutes=1):
            setattr(event, name, before[name])  # a form's minutes, not a move

    def same(name: str) -> bool:
        now, then = getattr(event, name), before[name]
        if isinstance(now, list) and isinstance(then, list):
            return sorted(now) == sorted(then)  # towns and roles, in whatever order sent
        return now == then

    changed = [name for name in HELD_FIELDS if name in before and not same(name)]
    if audience_organisations is not None and {o.pk for o in audience_organisations} != set(
        event.audience_organisations.values_list("pk", flat=True)
    ):
        changed.append("audience_organisations")
    if changed:
        raise ValidationError(
            {
                name: gettext(
                    "The event has begun: its time, kind and audience stay as they were when "
                    "people came."
                )
                for name in changed
            }
        )


@transaction.atomic
def add_speaker(actor, event: Event, data: Mapping[str, Any]) -> Speaker:
    ensure_can(actor, "manage", event)
    order = (event.speakers.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    texts = {name: (data.get(name) or "").strip() for name in ("name", "title", "topic")}
    speaker = Speaker(event=event, order=order, member=data.get("member") or None, **texts)
    speaker.full_clean()
    speaker.save()
    record(actor, "event.speaker.add", event, speaker=str(speaker))
    return speaker


@transaction.atomic
def remove_speaker(actor, speaker: Speaker) -> None:
    ensure_can(actor, "manage", Event(pk=speaker.event_id))
    record(actor, "event.speaker.remove", speaker.event, speaker=str(speaker))
    speaker.delete()


@transaction.atomic
def add_material(actor, event: Event, title: str, upload) -> Material:
    """Attach a handout; its type is judged by content, and the stored name is random."""
    ensure_can(actor, "manage", event)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("Give the material a title.")})
    accepted = accept_upload(upload, MATERIAL_KINDS)
    material = Material(
        event=event, title=title[:200], uploaded_by=actor, **accepted.record_fields()
    )
    accepted.store(material.file)
    try:
        material.save()
    except Exception:
        material.file.delete(save=False)  # the row was not written: neither is its file
        raise
    record(actor, "event.material.add", event, material=material.pk, sha256=material.sha256)
    return material


@transaction.atomic
def remove_material(actor, material: Material) -> None:
    ensure_can(actor, "manage", Event(pk=material.event_id))
    record(actor, "event.material.remove", material.event, material=material.pk)
    material.delete_with_file()
