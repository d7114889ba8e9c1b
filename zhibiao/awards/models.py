"""The district quality award (区长质量奖): a yearly cycle, the enterprises' entries with their
self-assessment against GB/T 19580, the committee's scores, consensus and site visits, the
public notice with its objections, and the award conferred.

Two state machines of `zhibiao.core.workflow`: a cycle's (call → open → formal check →
document review → site visit → decision → public notice → awarded → closed) and an entry's
(draft → submitted → checked → reviewed → shortlisted → decided → noticed → awarded; rejected,
not awarded or withdrawn on the way). Nothing is deleted: a score is revised in place under its
revision counter, every step leaves a history row and an audit entry.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, is_district_admin
from zhibiao.awards.criteria import ITEM_CHOICES, ITEM_CODES, PERCENTS
from zhibiao.core.modelfields import (
    YEAR_VALIDATORS,
    check,
    created_field,
    ref,
    unique,
    updated_field,
    user_ref,
    valid_choice,
    year_field,
)
from zhibiao.core.objections import ObjectionRecord
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import StepRecord, revision_field, status_field, status_fields


class CycleStatus(models.TextChoices):
    CALL = "call", _("Call published")
    OPEN = "open", _("Open for applications")
    FORMAL_CHECK = "formal_check", _("Formal check")
    DOCUMENT_REVIEW = "document_review", _("Document review")
    SITE_VISIT = "site_visit", _("Site reviews")
    DECISION = "decision", _("Committee decision")
    NOTICE = "notice", _("Public notice")
    AWARDED = "awarded", _("Awarded")
    CLOSED = "closed", _("Closed")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Passed the formal check")
    REVIEWED = "reviewed", _("Document review concluded")
    SHORTLISTED = "shortlisted", _("Shortlisted for a site review")
    DECIDED = "decided", _("Award decided")
    NOTICED = "noticed", _("Public notice")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    REJECTED = "rejected", _("Rejected at the formal check")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CycleQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> CycleQuerySet:
        """A call is public: every cycle is shown to everyone."""
        return self

    def _managed_by(self, user) -> CycleQuerySet:
        """Running a cycle is the district's."""
        return self if is_district_admin(user) else self.none()

    actions = {"view": _visible_to, "manage": _managed_by}


#: A cycle's counts (awards, nominations, site visits) are a district's handful, not thousands.
COUNT_MAX = 500


class Cycle(models.Model):
    """One year's award: the call, its dates, how many awards, and the stage it is at."""

    year = year_field(unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=100)
    call_text = models.TextField(_("call"))
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    awards = models.PositiveSmallIntegerField(
        _("number of awards"), default=3, validators=[MaxValueValidator(COUNT_MAX)]
    )
    nominations = models.PositiveSmallIntegerField(
        _("number of nominations"), default=0, validators=[MaxValueValidator(COUNT_MAX)]
    )
    site_visits = models.PositiveSmallIntegerField(
        _("entries visited"),
        default=5,
        validators=[MaxValueValidator(COUNT_MAX)],
        help_text=_("The highest-ranked entries after the document review go to a site visit."),
    )
    status = status_field(CycleStatus, CycleStatus.CALL)
    notice_ends_at = models.DateTimeField(_("public notice ends"), null=True, blank=True)
    created_by = user_ref(_("created by"))
    created_at = created_field()
    revision = revision_field()

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("award cycle")
        verbose_name_plural = _("award cycles")
        ordering = ["-year"]
        constraints = [
            check(
                "awards_cycle_dates_ordered",
                Q(closes_on__gte=F("opens_on")),
                _("Applications close before they open."),
            ),
            check("awards_cycle_awards_positive", Q(awards__gte=1), _("Award at least one.")),
            valid_choice("awards_cycle_status_valid", "status", CycleStatus, _("Unknown status.")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("awards:cycle", args=[self.pk])

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": gettext("Applications close before they open.")})
        if self.site_visits is not None and self.awards and self.site_visits < self.awards:
            raise ValidationError(
                {"site_visits": gettext("Visit at least as many entries as there are awards.")}
            )


class CycleStep(StepRecord):
    """One step of a cycle: who moved it to which stage, when and why."""

    cycle = ref(Cycle, _("award cycle"), "steps")
    from_status, to_status = status_fields(CycleStatus)

    class Meta(StepRecord.Meta):
        ordering = ["cycle", "at", "pk"]


class EntryQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> EntryQuerySet:
        """Staff see every entry; an enterprise its own; an expert those assigned to them,
        except an enterprise they have a conflict of interest with (declared after the
        assignment: they no longer see its self-assessment, until staff replace them)."""
        if is_district_admin(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        if user.role == Role.EXPERT:
            from zhibiao.committee.services import conflicted_organisations

            return (
                self.filter(assignments__expert=user)
                .exclude(organisation_id__in=conflicted_organisations(user))
                .distinct()
            )
        organisation_id = acts_for(user)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    def _edited_by(self, user) -> EntryQuerySet:
        """The self-assessment is written by the users acting for the enterprise, or by staff
        entering an application made on paper."""
        if is_district_admin(user):
            return self
        organisation_id = acts_for(user)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    # The feedback report is the applicant's (and staff's): an assigned expert sees the entry
    # but not what the committee says of it.
    actions = {"view": _visible_to, "change": _edited_by, "read_feedback": _edited_by}


class Entry(models.Model):
    """An enterprise's application for one cycle's award, from draft to the award."""

    cycle = ref(Cycle, _("award cycle"), "entries")
    organisation = ref("directory.Organisation", _("enterprise"), "award_entries")
    applicant = user_ref(_("applicant"))
    status = status_field(EntryStatus, EntryStatus.DRAFT)
    profile = models.TextField(
        _("organisational profile"),
        blank=True,
        help_text=_("Who the enterprise is, what it makes, its key challenges (GB/T 19580 P)."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    serious_accident = models.BooleanField(
        _("serious quality, safety or environmental accident"),
        null=True,
        blank=True,
        help_text=_("Recorded by staff at the formal check from the departments' records."),
    )
    checked_by = user_ref(_("formally checked by"), null=True, blank=True)
    review_total = models.DecimalField(
        _("document review score"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    final_total = models.DecimalField(
        _("final score"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    award_record = models.OneToOneField(
        "profiles.AwardRecord",
        verbose_name=_("award on file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_entry",
    )
    certificate_number = models.CharField(_("certificate number"), max_length=30, blank=True)
    created_at = created_field()
    updated_at = updated_field()
    revision = revision_field()

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("award entry")
        verbose_name_plural = _("award entries")
        ordering = ["cycle", "rank", "pk"]
        constraints = [
            unique(
                "awards_entry_once_per_cycle",
                "cycle",
                "organisation",
                condition=~Q(status="withdrawn"),
                message=_("This enterprise has already applied in this cycle."),
            ),
            valid_choice("awards_entry_status_valid", "status", EntryStatus, _("Unknown status.")),
            check(
                "awards_entry_awarded_on_file",
                ~Q(status="awarded") | Q(award_record__isnull=False),
                _("An award conferred is on file."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.year} · {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("awards:entry", args=[self.pk])


class EntryStep(StepRecord):
    """One step of an entry: who moved it from which state to which, when and why."""

    entry = ref(Entry, _("award entry"), "steps")
    from_status, to_status = status_fields(EntryStatus)

    class Meta(StepRecord.Meta):
        ordering = ["entry", "at", "pk"]


class SelfAssessment(models.Model):
    """The enterprise's text for one item of GB/T 19580, with its evidence, saved as written."""

    entry = ref(Entry, _("award entry"), "answers", on_delete=models.CASCADE)
    item = models.CharField(_("item"), max_length=8, choices=ITEM_CHOICES)
    text = models.TextField(_("self-assessment"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    updated_at = updated_field()
    revision = revision_field()

    class Meta:
        verbose_name = _("self-assessment item")
        verbose_name_plural = _("self-assessment items")
        ordering = ["entry", "item"]
        constraints = [
            unique(
                "awards_answer_once_per_item",
                "entry",
                "item",
                message=_("This item is already answered."),
            ),
            check("awards_answer_item_known", Q(item__in=ITEM_CODES), _("Unknown item.")),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.item}"


class Assignment(models.Model):
    """A committee expert assigned to score an entry."""

    entry = ref(Entry, _("award entry"), "assignments")
    expert = user_ref(_("expert"), "award_assignments")
    assigned_by = user_ref(_("assigned by"))
    assigned_at = created_field()

    class Meta:
        verbose_name = _("expert assigned")
        verbose_name_plural = _("experts assigned")
        ordering = ["entry", "pk"]
        constraints = [
            unique(
                "awards_assignment_once",
                "entry",
                "expert",
                message=_("This expert is already assigned to this entry."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.expert}"


class Score(models.Model):
    """One expert's score of one item, a percentage in the bands of GB/Z 19579, with a comment.

    Each expert's row is their own and is revised under its revision counter, so two experts
    saving at once never touch each other's rows, and a save from a stale page is refused."""

    assignment = ref(Assignment, _("expert assigned"), "scores")
    item = models.CharField(_("item"), max_length=8, choices=ITEM_CHOICES)
    percent = models.PositiveSmallIntegerField(_("score (%)"))
    comment = models.TextField(_("comment"))
    updated_at = updated_field()
    revision = revision_field()

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["assignment", "item"]
        constraints = [
            unique(
                "awards_score_once_per_item",
                "assignment",
                "item",
                message=_("This item is already scored."),
            ),
            check(
                "awards_score_in_band",
                Q(percent__in=PERCENTS),
                _("A score is a multiple of 5 within the bands of GB/Z 19579."),
            ),
            check("awards_score_item_known", Q(item__in=ITEM_CODES), _("Unknown item.")),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.item}: {self.percent}%"


class Consensus(models.Model):
    """The outcome of the experts' discussion of an item whose scores spread too far apart."""

    entry = ref(Entry, _("award entry"), "consensus")
    item = models.CharField(_("item"), max_length=8, choices=ITEM_CHOICES)
    agreed_percent = models.PositiveSmallIntegerField(_("agreed score (%)"))
    note = models.TextField(_("discussion"))
    recorded_by = user_ref(_("recorded by"))
    recorded_at = created_field()

    class Meta:
        verbose_name = _("consensus")
        verbose_name_plural = _("consensus")
        ordering = ["entry", "item"]
        constraints = [
            unique(
                "awards_consensus_once_per_item",
                "entry",
                "item",
                message=_("The consensus on this item is already recorded."),
            ),
            check(
                "awards_consensus_in_band",
                Q(agreed_percent__in=PERCENTS),
                _("A score is a multiple of 5 within the bands of GB/Z 19579."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.item}: {self.agreed_percent}%"


class SiteVisit(models.Model):
    """The site visit (现场评审) of a shortlisted entry: the team, its findings, and the item
    scores it adjusted (item → percent; items not named keep the document review's)."""

    entry = models.OneToOneField(
        Entry, verbose_name=_("award entry"), on_delete=models.PROTECT, related_name="site_visit"
    )
    visited_on = models.DateField(_("visited on"))
    team = models.CharField(_("team"), max_length=200)
    findings = models.TextField(_("findings"))
    adjusted = models.JSONField(_("adjusted scores"), default=dict, blank=True)
    recorded_by = user_ref(_("recorded by"))
    recorded_at = created_field()
    #: When it was last saved: a correction from a page that showed an older record is
    #: refused (`core.revisions.held_as_seen`) rather than undoing a colleague's.
    updated_at = updated_field()

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.entry} {self.visited_on}"


class Objection(ObjectionRecord):
    """An objection raised during the public notice, and how staff resolved it."""

    entry = ref(Entry, _("award entry"), "objections")

    class Meta(ObjectionRecord.Meta):
        ordering = ["entry", "filed_at"]

    def __str__(self) -> str:
        return f"{self.entry}: {self.text[:30]}"
