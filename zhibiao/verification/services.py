"""Verifying and rejecting the records that feed money facts.

A record recorded by someone other than its attester (a chamber recording a department's
adoption) counts towards no entitlement until district staff, or the attesting department's
users, verify it here. Each decision says who and when, with a note (required to reject), in
one transaction with one audit entry; the enterprises it pays are told of a rejection.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import overload

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import Actor, has_role, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.core.attestation import Attested, Verification
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.notifications.services import notify
from zhibiao.verification.kinds import KINDS, Detail, Kind

NOTE_MAX = 300


@dataclass
class Entry:
    """One row of the queue."""

    kind: Kind
    record: Attested

    @property
    def beneficiaries(self) -> list[str]:
        return [organisation.name for organisation in self.kind.beneficiaries(self.record)]

    @property
    def details(self) -> list[Detail]:
        return self.kind.details(self.record)


def kind_of(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise Http404
    return kind


def may_verify_any(user: Actor) -> bool:
    """Whether the user has a queue at all: district staff, and department users."""
    return is_district_admin(user) or has_role(user, Role.DEPARTMENT)


class Queue(Sequence[Entry]):
    """The records a user may verify, of every kind, oldest first, read a page at a time.

    Only the keys of all of them are read (when, which kind, which row); a slice loads the
    records it shows. A district with thousands of records waiting sees every one of them,
    page by page, and how many there are, rather than the first few hundred without a word.
    """

    def __init__(self, rows: Mapping[str, QuerySet]):
        self._rows = rows
        self._keys = sorted(
            (recorded_at, code, pk)
            for code, queryset in rows.items()
            for recorded_at, pk in queryset.prefetch_related(None).values_list("recorded_at", "pk")
        )

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...
    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        keys = self._keys[index]
        wanted: dict[str, list[int]] = defaultdict(list)
        for _at, code, pk in keys:
            wanted[code].append(pk)
        loaded = {
            (code, row.pk): row
            for code, pks in wanted.items()
            for row in self._rows[code].filter(pk__in=pks)
        }
        # a row decided or removed since the keys were read is left out of the page
        return [
            Entry(KINDS[code], loaded[(code, pk)]) for _at, code, pk in keys if (code, pk) in loaded
        ]


def queue(user: Actor, *, kind: str = "", state: str = Verification.PENDING) -> Queue:
    """The records the user may verify, in the state asked for (all states if empty)."""
    kinds = [kind_of(kind)] if kind else list(KINDS.values())
    rows = {}
    for each in kinds:
        verifiable = each.verifiable_by(user)
        rows[each.code] = verifiable.filter(verification=state) if state else verifiable
    return Queue(rows)


def _locked(actor: Actor, kind: Kind, pk: int) -> Attested:
    """The record, locked, if the actor may verify it; 404 if not visible to them at all."""
    row = kind.verifiable_by(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        if _visible_to(actor, kind, pk):
            raise PermissionDenied
        raise Http404
    return row


def _visible_to(actor: Actor, kind: Kind, pk: int) -> bool:
    """Whether the actor may see the record at all (a 403 then says no more than its page):
    to anyone else it does not exist, so that record ids cannot be probed for."""
    rows = kind.model._default_manager.all()
    if isinstance(rows, RestrictedQuerySet):
        rows = rows.restrict(actor, "view")
    elif not is_district_admin(actor):
        return False
    return rows.filter(pk=pk).exists()


@transaction.atomic
def verify(
    actor: Actor,
    kind_code: str,
    pk: int,
    *,
    note: str = "",
    seen: datetime.datetime | None = None,
) -> Attested:
    """Verify a pending (or previously rejected) record: it counts from now on.

    `seen` is when the record was last recorded as the verifier's page or client showed it:
    a record recorded again since (a chamber changing an adoption) is refused, so nobody
    vouches for content they never saw."""
    return _decide(actor, kind_code, pk, Verification.VERIFIED, note, seen)


@transaction.atomic
def reject(
    actor: Actor,
    kind_code: str,
    pk: int,
    *,
    note: str,
    seen: datetime.datetime | None = None,
) -> Attested:
    """Reject a record: it counts towards nothing; the enterprise is told why."""
    return _decide(actor, kind_code, pk, Verification.REJECTED, note, seen)


def _decide(
    actor: Actor,
    kind_code: str,
    pk: int,
    state: str,
    note: str,
    seen: datetime.datetime | None = None,
) -> Attested:
    kind = kind_of(kind_code)
    if not actor.is_authenticated:
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {
                "note": gettext("Write at most %(max)s characters (this has %(n)s).")
                % {"max": NOTE_MAX, "n": len(note)}
            }
        )
    row = _locked(actor, kind, pk)
    if state == Verification.REJECTED and not note:
        # Checked once the actor may decide at all, so the refusal says nothing to others.
        raise ValidationError({"note": gettext("Say why the record is rejected.")})
    if seen is not None and row.recorded_at != seen:
        raise ConcurrentChange(
            gettext("The record was changed since you opened it; reload and check it again.")
        )
    if row.verification == state:
        raise TransitionRefused(
            gettext("This record is already “%(state)s”.") % {"state": Verification(state).label}
        )
    if state == Verification.VERIFIED and row.recorded_by_id == actor.pk:
        # Someone who recorded a fact cannot also be the one who vouches for it.
        raise PermissionDenied(gettext("A record is verified by someone other than its recorder."))
    if (
        state == Verification.VERIFIED
        and row.verification == Verification.REJECTED
        and not is_district_admin(actor)
        and is_district_admin(row.checked_by)
    ):
        # A department attests its adoption, not the rest of what the chamber recorded (the
        # drafters and their ranks): a rejection by district staff stands until they verify
        # the record after all, or the chamber records it again (back to pending).
        raise PermissionDenied(
            gettext(
                "District staff rejected this record: only they may verify it now, unless the "
                "chamber records it again."
            )
        )
    before = row.verification
    row.verification, row.checked_by, row.checked_at = state, actor, timezone.now()
    row.check_note = note
    row.save(update_fields=["verification", "checked_by", "checked_at", "check_note"])
    record(
        actor,
        f"verification.{'verify' if state == Verification.VERIFIED else 'reject'}",
        row,
        kind=kind.code,
        reason=note,
        **{"from": before, "to": state},
    )
    if state == Verification.REJECTED:
        _tell_beneficiaries(kind, row, note)
    return row


def _tell_beneficiaries(kind: Kind, row, note: str) -> None:
    """Tell the users who act for the beneficiaries and the recorder's organisation; not an
    expert who merely works there, who may not open these records (`users_acting_for`)."""
    organisations = _beneficiary_ids(kind, row)
    if row.recorded_by_id and row.recorded_by.organisation_id:
        organisations.add(row.recorded_by.organisation_id)
    users = users_acting_for(organisations)
    notify(
        users,
        kind="verification.rejected",
        title=gettext("A record was rejected: %(record)s") % {"record": row},
        body=note,
        link="",
    )


def _beneficiary_ids(kind: Kind, row) -> set[int]:
    return {organisation.pk for organisation in kind.beneficiaries(row)}
