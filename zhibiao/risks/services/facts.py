"""(a) Money resting on facts recorded by the beneficiary's own side: entitlements and
applications whose clause reads a fact with such a record on file (see the package's docstring
for who is on the beneficiary's side)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.applications.models import Application
from zhibiao.applications.models import Status as ApplicationStatus
from zhibiao.core.attestation import Verification
from zhibiao.events.models import TRAINING_KINDS, Event, HostKind
from zhibiao.measures.models import ClauseVersion, Entitlement
from zhibiao.measures.services import clause_set, latest_screening
from zhibiao.profiles.models import (
    AwardRecord,
    Certification,
    CreditEntry,
    Designation,
    StandardDrafting,
    TaxRecord,
)
from zhibiao.risks.services.common import (
    _ensure_staff,
    _person,
    application_url,
    enterprise_file_url,
)
from zhibiao.standards.models import GroupStandardDrafter, LeaderEntry

#: Applications that no longer ask for money: they are not risks.
CLOSED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)


@dataclass(frozen=True)
class FlaggedRecord:
    """A record on file that the beneficiary's side recorded."""

    fact: str  # the fact it feeds (zhibiao/rules/facts.yaml)
    kind: str  # what kind of record, for people
    label: str  # which one
    key: str  # what an application's project names it by (a code, a number), or ""
    year: int | None  # the year of an event (courses only: the fact is the year's events)
    recorded_by: str
    recorder_organisation: str
    recorder_role: str
    verification: str  # a Verification code, or "" when the record keeps none (events)
    verification_label: str
    checked_by: str


@dataclass
class FactRisk:
    """An entitlement or a live application whose clause reads a fact with flagged records."""

    source: str  # "application" or "entitlement"
    enterprise_id: int
    enterprise: str
    clause: str
    title: str
    amount: Decimal
    year: int
    project: str = ""
    application_id: int | None = None
    number: str = ""
    status: str = ""
    records: list[FlaggedRecord] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The application, or for an entitlement the enterprise's file."""
        if self.application_id is not None:
            return application_url(self.application_id)
        return self.file_url

    @property
    def file_url(self) -> str:
        return enterprise_file_url(self.enterprise_id)


def _independent(prefix: str = "recorded_by") -> Q:
    """Recorded by district staff, or by nobody known: not the beneficiary's side."""
    return (
        Q(**{f"{prefix}__isnull": True})
        | Q(**{f"{prefix}__role": Role.ADMIN})
        | Q(**{f"{prefix}__is_superuser": True})
    )


def _own_side(owner: str = "organisation") -> Q:
    """A record recorded by a user of the enterprise it is about (`owner`)."""
    return Q(recorded_by__organisation=F(owner)) & ~_independent()


def _chamber_side() -> Q:
    """A group standard's drafter row whose standard was recorded by the drafter's own users,
    or by a user of the chamber that publishes it (the chamber speaks for its members)."""
    recorder = "group_standard__recorded_by"
    return ~_independent(recorder) & (
        Q(**{f"{recorder}__organisation": F("organisation")})
        | Q(
            **{
                f"{recorder}__role": Role.CHAMBER,
                f"{recorder}__organisation": F("group_standard__chamber"),
            }
        )
    )


_RECORDER = (
    "first_name",
    "last_name",
    "username",
    "organisation__name",
    "role",
)
_CHECKER = ("first_name", "last_name", "username")


def _profile_rows(model, fields: tuple[str, ...], owner: str = "organisation") -> QuerySet:
    return (
        model.objects.filter(_own_side(owner))
        .order_by(f"{owner}_id", "pk")
        .values_list(
            f"{owner}_id",
            *fields,
            *(f"recorded_by__{name}" for name in _RECORDER),
            "verification",
            *(f"checked_by__{name}" for name in _CHECKER),
        )
    )


def _flag(fact, kind, label, key, provenance, year=None) -> FlaggedRecord:
    first, last, username, organisation, role, verification, c_first, c_last, c_user = provenance
    return FlaggedRecord(
        fact=fact,
        kind=str(kind),
        label=label,
        key=key or "",
        year=year,
        recorded_by=_person(first, last, username),
        recorder_organisation=organisation or "",
        recorder_role=str(Role(role).label) if role in Role.values else (role or ""),
        verification=verification,
        verification_label=str(Verification(verification).label)
        if verification in Verification.values
        else "",
        checked_by=_person(c_first, c_last, c_user),
    )


def _choices(model, name: str) -> dict[str, str]:
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


def _flagged_records() -> dict[int, list[FlaggedRecord]]:
    """Every record recorded by its enterprise's side, by enterprise id. One query per kind
    of record; how many rows comes back depends on the flagged records, not the population."""
    out: dict[int, list[FlaggedRecord]] = defaultdict(list)
    tail = len(_RECORDER) + 1 + len(_CHECKER)

    def split(row):
        return row[0], row[1:-tail], row[-tail:]

    levels = _choices(StandardDrafting, "level")
    for row in _profile_rows(StandardDrafting, ("code", "level")):
        org, (code, level), who = split(row)
        kind = StandardDrafting._meta.verbose_name
        out[org].append(_flag("standards", kind, f"{code} ({levels.get(level, level)})", code, who))
    awards = _choices(AwardRecord, "award")
    for row in _profile_rows(AwardRecord, ("award", "year", "project")):
        org, (award, year, project), who = split(row)
        label = f"{awards.get(award, award)} {year}" + (f" · {project}" if project else "")
        out[org].append(_flag("awards", AwardRecord._meta.verbose_name, label, project, who))
    kinds = _choices(Certification, "kind")
    for row in _profile_rows(Certification, ("kind", "number")):
        org, (kind, number), who = split(row)
        label = f"{kinds.get(kind, kind)} {number}"
        out[org].append(
            _flag("certifications", Certification._meta.verbose_name, label, number, who)
        )
    designations = _choices(Designation, "kind")
    for row in _profile_rows(Designation, ("kind", "year")):
        org, (kind, year), who = split(row)
        label = f"{designations.get(kind, kind)} {year}"
        out[org].append(_flag("designations", Designation._meta.verbose_name, label, "", who))
    lists = _choices(CreditEntry, "list")
    for row in _profile_rows(CreditEntry, ("list", "listed_on")):
        org, (name, listed_on), who = split(row)
        label = f"{lists.get(name, name)} {listed_on.isoformat()}"
        out[org].append(_flag("credit_status", CreditEntry._meta.verbose_name, label, "", who))
    for row in _profile_rows(TaxRecord, ("year", "amount")):
        org, (year, amount), who = split(row)
        label = f"{year}: {amount}"
        out[org].append(_flag("tax_paid_district", TaxRecord._meta.verbose_name, label, "", who))
    # A leader entry's values are always the enterprise's own word: FX23-LEADER pays per
    # product category, the entry's project.
    leader_fields = ("scheme__product_category", "scheme__year", "product")
    for row in _profile_rows(LeaderEntry, leader_fields, owner="enterprise"):
        org, (category, year, product), who = split(row)
        label = f"{category} {year} · {product}"
        out[org].append(_flag("leaders", LeaderEntry._meta.verbose_name, label, category, who))
    group_rows = (
        GroupStandardDrafter.objects.filter(_chamber_side())
        .order_by("organisation_id", "pk")
        .values_list(
            "organisation_id",
            "group_standard__standard__code",
            *(f"group_standard__recorded_by__{name}" for name in _RECORDER),
            "group_standard__verification",
            *(f"group_standard__checked_by__{name}" for name in _CHECKER),
        )
    )
    kind = gettext("group standard")
    for row in group_rows:
        org, (code,), who = split(row)
        out[org].append(_flag("standards", kind, code, code, who))
    for org, record in _course_records():
        out[org].append(record)
    return out


def _training_events() -> QuerySet:
    """Courses, site visits and practice at training bases: the `courses` fact's source, which
    the host (the beneficiary's own base) records and checks attendees into."""
    return Event.objects.filter(host_kind=HostKind.BASE, kind__in=TRAINING_KINDS)


def _course_records() -> Iterable[tuple[int, FlaggedRecord]]:
    kinds = _choices(Event, "kind")
    rows = (
        _training_events()
        .order_by("host_base__organisation_id", "starts_at", "pk")
        .values_list(
            "host_base__organisation_id",
            "title",
            "kind",
            "starts_at",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__username",
            "created_by__organisation__name",
            "created_by__role",
        )
    )
    host = gettext("the host")
    for org, title, kind, starts_at, first, last, username, organisation, role in rows:
        held_on = timezone.localtime(starts_at).date()
        recorder = _person(first, last, username) or host
        yield (
            org,
            FlaggedRecord(
                fact="courses",
                kind=kinds.get(kind, kind),
                label=f"{title} ({held_on.isoformat()})",
                key=title,
                year=held_on.year,
                recorded_by=recorder,
                recorder_organisation=organisation or "",
                recorder_role=str(Role(role).label) if role in Role.values else "",
                verification="",
                verification_label="",
                checked_by="",
            ),
        )


def _flagged_enterprises(field_name: str) -> Q:
    """Rows (of entitlements or applications) of enterprises that have at least one flagged
    record: a filter on subqueries, so that no list of ids travels to the database."""
    side = Q(
        **{f"{field_name}__in": StandardDrafting.objects.filter(_own_side()).values("organisation")}
    )
    for model in (AwardRecord, Certification, Designation, CreditEntry, TaxRecord):
        side |= Q(**{f"{field_name}__in": model.objects.filter(_own_side()).values("organisation")})
    side |= Q(
        **{
            f"{field_name}__in": GroupStandardDrafter.objects.filter(_chamber_side()).values(
                "organisation"
            )
        }
    )
    side |= Q(
        **{
            f"{field_name}__in": LeaderEntry.objects.filter(_own_side("enterprise")).values(
                "enterprise"
            )
        }
    )
    side |= Q(**{f"{field_name}__in": _training_events().values("host_base__organisation")})
    return side


def _clause_reads(version_ids: Iterable[int]) -> dict[int, tuple[frozenset[str], str | None]]:
    """Per clause version: the facts its compiled clause reads, and the list fact it pays per
    record of (`award.each`), through the measures' cached clause sets. A version missing from
    its rule book's compiled set (unpublished) is taken to read every fact: better one line too
    many for a person to look at than one missed."""

    versions = ClauseVersion.objects.filter(pk__in=set(version_ids)).select_related(
        "clause__rulebook"
    )
    out: dict[int, tuple[frozenset[str], str | None]] = {}
    compiled: dict[int, object] = {}
    for version in versions:
        rulebook = version.clause.rulebook
        if rulebook.pk not in compiled:
            compiled[rulebook.pk] = clause_set(rulebook)
        try:
            clause = compiled[rulebook.pk].get(version.clause.code, version.number)
        except KeyError:
            out[version.pk] = (_EVERY_FACT, None)
            continue
        out[version.pk] = (clause.facts, clause.award.each)
    return out


_EVERY_FACT = frozenset(
    {
        "standards",
        "awards",
        "certifications",
        "designations",
        "credit_status",
        "tax_paid_district",
        "courses",
    }
)


def _relevant(
    records: list[FlaggedRecord],
    reads: tuple[frozenset[str], str | None],
    year: int,
    project: str,
) -> list[FlaggedRecord]:
    """The flagged records a line rests on: of the facts its clause reads; for the list fact it
    pays per record of, only the project's record when the line names a project; for courses,
    only the year's events."""
    facts, each = reads
    out = []
    for record in records:
        if record.fact not in facts:
            continue
        if record.fact == "courses" and record.year != year:
            continue
        if project and record.fact == each and record.key != project:
            continue
        out.append(record)
    return out


def fact_risks(user) -> list[FactRisk]:
    """(a) Entitlements of the latest finished screening, and applications not withdrawn or
    rejected, whose clause reads a fact with a record on file recorded by the enterprise's own
    side (see the module's docstring). A line under a per-project clause (an application for
    one standard, one certificate) is flagged on that project's record, not on the enterprise's
    other records of the same list; facts the conditions read (tax, credit) count whole.

    Largest amounts first. Queries: one per kind of record, one for the entitlements, one for
    the applications, one for their clause versions.
    """
    _ensure_staff(user)

    flagged = _flagged_records()
    if not flagged:
        return []
    candidates: list[tuple[FactRisk, int]] = []  # each line with its clause version's id
    screening = latest_screening()
    if screening is not None:
        entitlements = (
            Entitlement.objects.filter(screening=screening)
            .filter(_flagged_enterprises("organisation"))
            .values_list(
                "organisation_id",
                "organisation__name",
                "version_id",
                "version__clause__code",
                "version__title",
                "amount",
            )
        )
        year = screening.as_of.year
        label = gettext("Screening on %(date)s") % {"date": screening.as_of.isoformat()}
        for org, name, version, code, title, amount in entitlements:
            line = FactRisk("entitlement", org, name, code, title, amount, year, status=label)
            candidates.append((line, version))
    applications = (
        Application.objects.exclude(status__in=CLOSED)
        .filter(_flagged_enterprises("enterprise"))
        .values_list(
            "pk",
            "number",
            "status",
            "enterprise_id",
            "enterprise__name",
            "version_id",
            "clause__code",
            "version__title",
            "amount_assessed",
            "amount_approved",
            "year",
            "project",
        )
    )
    statuses = dict(ApplicationStatus.choices)
    for row in applications:
        pk, number, status, org, name, version, code, title, assessed, approved, year, project = row
        line = FactRisk(
            "application",
            org,
            name,
            code,
            title,
            approved if approved is not None else assessed,
            year,
            project=project,
            application_id=pk,
            number=number,
            status=str(statuses.get(status, status)),
        )
        candidates.append((line, version))
    reads = _clause_reads(version for _line, version in candidates)
    out = []
    for line, version in candidates:
        records = flagged.get(line.enterprise_id, [])
        line.records = _relevant(records, reads[version], line.year, line.project)
        if line.records:
            out.append(line)
    out.sort(key=lambda r: (-r.amount, r.enterprise, r.clause, r.number))
    return out
