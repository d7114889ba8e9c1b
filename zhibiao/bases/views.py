"""Training bases: the public list and pages with each year's figures, the managers' capability
editing, staff's status steps and yearly evaluation (and its corrections), and nominations
(applications to become a base)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.bases import services
from zhibiao.bases.forms import (
    BatchForm,
    CapabilityForm,
    EvaluationCorrectionForm,
    EvaluationForm,
    NominationForm,
    NominationStepForm,
)
from zhibiao.bases.models import (
    Batch,
    Evaluation,
    EvaluationResult,
    Nomination,
    TrainingBase,
)
from zhibiao.core.errors import Refused, TransitionRefused
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import add_service_errors, error_message, service_errors_on
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.permissions import can
from zhibiao.core.steps import take_posted_step
from zhibiao.core.workflow import available
from zhibiao.core.years import FIRST_YEAR, year_bounds
from zhibiao.events import training
from zhibiao.events.models import Event


def _bases(user=None):
    bases = TrainingBase.objects.all() if is_district_admin(user) else TrainingBase.objects.listed()
    return bases.select_related("organisation", "batch").prefetch_related("capabilities")


#: The public list of bases, as the page shows them batch by batch.
BASE_COLUMNS = [
    Column(_("Training base"), lambda b: b.organisation.name),
    Column(_("Town"), lambda b: b.organisation.get_town_display()),
    Column(_("Batch"), lambda b: b.batch.name),
    Column(_("Status"), lambda b: b.get_status_display()),
    Column(_("Plaque date"), lambda b: b.batch.designated_on),
    Column(capfirst(_("capabilities")), lambda b: "、".join(c.title for c in b.capabilities.all())),
]


def base_list(request: HttpRequest) -> HttpResponse:
    if wants_xlsx(request):
        title = gettext("Training bases")
        return export_list("training-bases.xlsx", BASE_COLUMNS, _bases(), title=title)
    batches = Batch.objects.all()
    user = request.user
    context = {
        "bases": _bases(),
        "query": query_without_page(request),
        "batches": batches,
        "managed_ids": set(
            TrainingBase.objects.restrict(user, "manage").values_list("pk", flat=True)
        ),
        "last_year": timezone.localdate().year - 1,
        "is_admin": is_district_admin(user),
        "may_apply": user.is_authenticated and user.role == Role.ENTERPRISE,
    }
    return render(request, "bases/base_list.html", context)


def _years(base: TrainingBase) -> list[int]:
    return list(range(timezone.localdate().year, base.batch.designated_on.year - 1, -1))


def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    base = get_object_or_404(_bases(user), pk=pk)
    may_manage = can(user, "manage", TrainingBase(pk=pk))
    admin = is_district_admin(user)
    years = _years(base)
    figures = {year: training.yearly_figures(year, [base])[base.pk] for year in years}
    context = {
        "base": base,
        "may_manage": may_manage,
        "is_admin": admin,
        "years": [(year, figures[year]) for year in years],
        "evaluations": [
            (evaluation, EvaluationCorrectionForm.of(evaluation) if admin else None)
            for evaluation in base.evaluations.select_related("evaluated_by").prefetch_related(
                "corrections__corrected_by"
            )
        ]
        if admin or may_manage
        else [],
        "history": base.steps.select_related("actor") if admin or may_manage else [],
        "steps": available(user, base),
        "evaluation_form": EvaluationForm(initial={"year": timezone.localdate().year - 1})
        if admin
        else None,
        "upcoming": Event.objects.restrict(user, "view")
        .filter(host_base=base, ends_at__gte=timezone.now())
        .order_by("starts_at"),
        # News sits above the bases: its model is reached through the reverse relation.
        "news": base.news.model.objects.restrict(user, "view")
        .filter(Q(bases=base) | Q(batches=base.batch_id))
        .distinct(),
    }
    return render(request, "bases/base_detail.html", context)


@role_required(Role.ADMIN)
@require_POST
def status_step(request: HttpRequest, pk: int) -> HttpResponse:
    return take_posted_step(request, get_object_or_404(TrainingBase.objects.all(), pk=pk))


@role_required(Role.ADMIN)
@require_POST
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(TrainingBase.objects.all(), pk=pk)
    form = EvaluationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        training.evaluate(
            request.user,
            base,
            form.cleaned_data["year"],
            result=form.cleaned_data["result"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("The evaluation was recorded."))
    return redirect(base)


@role_required(Role.ADMIN)
@require_POST
def correct_evaluation(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Staff correct a recorded evaluation from the base's page, with a reason."""
    base = get_object_or_404(TrainingBase.objects.all(), pk=pk)
    form = EvaluationCorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.correct_evaluation(
            request.user,
            base,
            year,
            result=form.cleaned_data["result"],
            comment=form.cleaned_data["comment"],
            reason=form.cleaned_data["reason"],
            seen=form.cleaned_data["revision"],
        )
    except (ValidationError, TransitionRefused) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("The evaluation was corrected."))
    return redirect(base)


def _year_rows(user, year: int) -> list[tuple]:
    """Per base designated by `year`: the base, its figures, and for staff the evaluation and
    the suggested result."""
    bases = list(_bases(user).filter(batch__designated_on__year__lte=year))
    figures = training.yearly_figures(year, bases)
    admin = is_district_admin(user)
    evaluations = {}
    if admin:
        evaluations = {e.base_id: e for e in Evaluation.objects.filter(year=year, base__in=bases)}
    return [
        (
            base,
            figures[base.pk],
            evaluations.get(base.pk),
            EvaluationResult(training.suggested_result(figures[base.pk])).label if admin else None,
        )
        for base in bases
    ]


def _score(value: float | None) -> float | None:
    return round(value, 2) if value else None


#: One row per base: (base, figures, evaluation, suggestion) as the year's page shows it.
YEAR_COLUMNS = [
    Column(_("Training base"), lambda row: row[0].organisation.name),
    Column(_("Status"), lambda row: row[0].get_status_display()),
    Column(_("Courses"), lambda row: row[1].courses),
    Column(_("Site visits"), lambda row: row[1].site_visits),
    Column(_("Hands-on practice"), lambda row: row[1].practices),
    Column(_("Attendees"), lambda row: row[1].attendees),
    Column(_("Satisfaction"), lambda row: _score(row[1].satisfaction)),
    Column(_("Answers"), lambda row: row[1].responses),
]
#: For staff: the recorded evaluation, and the result the figures suggest.
YEAR_ADMIN_COLUMNS = [
    Column(_("Evaluation"), lambda row: row[2].get_result_display() if row[2] else ""),
    Column(capfirst(_("suggested")), lambda row: row[3]),
]


def year_overview(request: HttpRequest, year: int) -> HttpResponse:
    """Every base's year side by side: what each delivered, and (for staff) the evaluation."""
    year_bounds(year)  # a year outside the platform's range is a 404, not an error
    rows = _year_rows(request.user, year)
    admin = is_district_admin(request.user)
    if wants_xlsx(request):
        columns = YEAR_COLUMNS + (YEAR_ADMIN_COLUMNS if admin else [])
        title = gettext("The training bases' year %(year)s") % {"year": year}
        return export_list(f"training-bases-{year}.xlsx", columns, rows, title=title)
    return render(
        request,
        "bases/year.html",
        {
            "year": year,
            "rows": rows,
            "is_admin": admin,
            "previous": year - 1 if year > FIRST_YEAR else None,
            "next": year + 1 if year < timezone.localdate().year else None,
            "query": query_without_page(request),
        },
    )


@role_required()
@require_http_methods(["GET", "POST"])
def capability_create(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(TrainingBase.objects.restrict(request.user, "manage"), pk=pk)
    form = CapabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.add_capability(request.user, base, form.cleaned_data)
            messages.success(request, gettext("The capability was added."))
            return redirect(base)
    return render(request, "bases/capability_form.html", {"form": form, "base": base})


@role_required()
@require_POST
def capability_delete(request: HttpRequest, pk: int, capability_pk: int) -> HttpResponse:
    base = get_object_or_404(TrainingBase.objects.restrict(request.user, "manage"), pk=pk)
    capability = get_object_or_404(base.capabilities, pk=capability_pk)
    services.remove_capability(request.user, capability)
    messages.success(request, gettext("The capability was removed."))
    return redirect(base)


# --- Becoming a base ---------------------------------------------------------------------------


#: The nominations as their list shows them.
NOMINATION_COLUMNS = [
    Column(_("Enterprise"), lambda a: a.organisation.name),
    Column(_("Submitted"), lambda a: a.created_at),
    Column(_("Status"), lambda a: a.get_status_display()),
    Column(_("Batch"), lambda a: a.batch.name if a.batch_id else ""),
]


@role_required()
def nomination_list(request: HttpRequest) -> HttpResponse:
    rows = Nomination.objects.restrict(request.user, "view").select_related("organisation", "batch")
    if wants_xlsx(request):
        title = gettext("Applications to become a base")
        return export_list("base-applications.xlsx", NOMINATION_COLUMNS, rows, title=title)
    return render(
        request,
        "bases/nomination_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "is_admin": is_district_admin(request.user),
            "may_apply": request.user.role == Role.ENTERPRISE,
        },
    )


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@require_http_methods(["GET", "POST"])
def nomination_create(request: HttpRequest) -> HttpResponse:
    form = NominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nominate(request.user, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Your application was submitted."))
            return redirect(nomination)
    return render(request, "bases/nomination_form.html", {"form": form})


@role_required()
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_object_or_404(
        Nomination.objects.restrict(request.user, "view")
        .select_related("organisation", "batch", "base", "applicant")
        .prefetch_related(Prefetch("steps__actor")),
        pk=pk,
    )
    return render(
        request,
        "bases/nomination_detail.html",
        {
            "nomination": nomination,
            "steps": available(request.user, nomination),
            "batches": Batch.objects.order_by("-number"),
        },
    )


@role_required()
@require_POST
def nomination_step(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = Nomination.objects.get_for(request.user, "view", pk)
    return take_posted_step(request, nomination, NominationStepForm)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            batch = services.create_batch(request.user, **form.cleaned_data)
            messages.success(request, gettext("%(batch)s was opened.") % {"batch": batch})
            return redirect("bases:nominations")
    return render(
        request,
        "bases/batch_form.html",
        {"form": form, "next_number": (Batch.objects.count() or 0) + 1},
    )
