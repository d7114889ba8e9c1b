"""Who vouches for a record that pays: the provenance every money record carries.

The platform decides public money, so a record that feeds an entitlement must say who recorded
it, when, and whether and by whom it was verified. `zhibiao/rules/facts.yaml` names, for each
fact, who may attest it (`Attester`); the records behind facts attested by the district, an
official source or an independent party count only once that party (or district staff) has
verified them (`Verification.VERIFIED`). A record entered by district staff is verified by them
on entry; one entered by anyone else (a chamber recording a department's adoption, say) waits in
the verification queue (`zhibiao.verification`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import user_ref


class Attester(models.TextChoices):
    """Whose word a fact rests on (the `attested_by` of a fact in facts.yaml)."""

    DISTRICT = "district", _("District records kept by staff")
    OFFICIAL = "official", _("Official source imported by staff")
    THIRD_PARTY = "third_party", _("Independent third party")
    HOST = "host", _("The event's host")
    ENTERPRISE = "enterprise", _("The enterprise itself")


#: Attesters independent of the beneficiary: only their (verified) word may pay automatically.
INDEPENDENT = frozenset({Attester.DISTRICT, Attester.OFFICIAL, Attester.THIRD_PARTY})


class Verification(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


#: The fields `Attested` adds: shown read-only in the admin, saved together when recorded.
PROVENANCE_FIELDS = (
    "recorded_by",
    "recorded_at",
    "verification",
    "checked_by",
    "checked_at",
    "check_note",
)


def vouched_name(user: Any) -> str | None:
    """Who recorded or verified a record, as anyone may read it: the organisation the user acted
    for (the chamber, the department), or their role (district staff), never a person's name,
    which public pages and the public API have no business showing."""
    if user is None:
        return None
    organisation = getattr(user, "organisation", None)
    if organisation is not None:
        return str(organisation.name)
    return str(user.get_role_display())


class Attested(models.Model):
    """Provenance fields of a record that feeds a money fact.

    New rows wait for verification unless whoever saves them says otherwise: a record made by
    code without thought must not pay.
    """

    recorded_by = user_ref(_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
        db_index=True,
    )
    checked_by = user_ref(
        _("verified or rejected by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    checked_at = models.DateTimeField(_("verified or rejected at"), null=True, blank=True)
    check_note = models.CharField(_("verification note"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def recorder_name(self) -> str | None:
        """Who recorded the row, for the public (`vouched_name`)."""
        return vouched_name(self.recorded_by)

    @property
    def checker_name(self) -> str | None:
        """Who verified or rejected the row, for the public (`vouched_name`)."""
        return vouched_name(self.checked_by)

    def mark_recorded(self, user, *, verified: bool, note: str = "") -> None:
        """Set who recorded the row now; `verified` when the recorder is the attester itself
        (district staff entering an official record)."""
        now = timezone.now()
        self.recorded_by, self.recorded_at = user, now
        if verified:
            self.verification = Verification.VERIFIED
            self.checked_by, self.checked_at, self.check_note = user, now, note
        else:
            self.verification = Verification.PENDING
            self.checked_by, self.checked_at, self.check_note = None, None, ""
