"""Pages of the applications. Every page fetches through `restrict(user, "view")`; every change
goes through the services, which refuse what the table of steps does not allow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.applications import services
from zhibiao.applications.forms import (
    ApplicationStepForm,
    AssignForm,
    EvidenceForm,
    ObjectionForm,
    ResolveForm,
    ReviewForm,
    StatementForm,
)
from zhibiao.applications.models import (
    STATUS_GROUPS,
    Application,
    Channel,
    Evidence,
    Objection,
    Status,
)
from zhibiao.committee.services import eligible_experts
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import add_service_errors, error_message, form_error_message
from zhibiao.core.listfilters import by_status, group_choices
from zhibiao.core.pagecache import kept_per_user
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.steps import act_and_return, take_posted_step
from zhibiao.core.uploads import download
from zhibiao.core.workflow import available
from zhibiao.directory.forms import PlaceFilterForm
from zhibiao.measures.models import Clause
from zhibiao.supply.matching import rank_experts


def _applications(user):
    return Application.objects.restrict(user, "view").select_related(
        "enterprise", "clause", "version"
    )


@role_required()
@kept_per_user
def application_list(request: HttpRequest) -> HttpResponse:
    places = PlaceFilterForm(request.GET)
    rows = places.narrow(_applications(request.user), "enterprise", "created_at")
    rows, status = by_status(rows, request.GET.get("status", ""), Status.values, STATUS_GROUPS)
    channel = request.GET.get("channel", "")
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    else:
        channel = ""
    if wants_xlsx(request):
        title = gettext("Applications")
        return export_list(
            "applications.xlsx", APPLICATION_COLUMNS, rows.order_by("pk"), title=title
        )
    return render(
        request,
        "applications/list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "statuses": Status.choices,
            "groups": group_choices(STATUS_GROUPS),
            "status": status,
            "channels": Channel.choices,
            "channel": channel,
            "places": places,
        },
    )


APPLICATION_COLUMNS = [
    Column(_("Number"), lambda a: a.number),
    Column(_("Enterprise"), lambda a: a.enterprise.name),
    Column(_("Clause"), lambda a: a.version.title),
    Column(_("Version"), lambda a: a.version.number),
    Column(_("Project"), lambda a: a.project),
    Column(_("Channel"), lambda a: a.get_channel_display()),
    Column(_("Status"), lambda a: a.get_status_display()),
    Column(_("Amount assessed"), lambda a: a.amount_assessed),
    Column(_("Amount approved"), lambda a: a.amount_approved),
    Column(_("Created"), lambda a: a.created_at),
]


@role_required(*services.APPLICANT_ROLES)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    clause = get_object_or_404(
        Clause.objects.restrict(request.user, "view"), code=request.POST.get("clause", "")
    )
    try:
        application = services.start_application(
            request.user,
            request.user.organisation,
            clause,
            project=request.POST.get("project", "")[:100],
        )
    except (TransitionRefused, ValidationError) as error:
        messages.error(request, error_message(error))
        return redirect("portal:mine")
    messages.success(
        request, gettext("Application %(number)s was opened.") % {"number": application.number}
    )
    return redirect(application)


@role_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request.user), pk=pk)
    return _detail(request, application)


def _detail(
    request: HttpRequest, application: Application, statement_form=None, review_form=None
) -> HttpResponse:
    """The page reads as the file is decided: the facts, the enterprise's materials (statement,
    evidence, assessment), the committee's reviews and the objections, then the decision: the
    steps this user can take now (`available`, exactly those `take` accepts). A form sent back
    with errors (the statement, the expert's review) is shown again with what was typed."""
    user = request.user
    admin = is_district_admin(user)
    own_review = application.reviews.filter(reviewer=user).first()
    may_edit = services.may_edit(user, application)
    reviews = list(application.reviews.select_related("reviewer")) if admin else []
    steps = available(user, application)
    context = {
        "application": application,
        "steps": steps,
        "opened_on_near_miss": services.opened_on_near_miss(application),
        "approval_ceiling": services.approval_ceiling(application)
        if any(step.action == "approve" for step in steps)
        else None,
        # Why the payment is not offered: a record the approval rested on no longer counts
        # (measured only when the step's own check has hidden it).
        "unsupported_payment": services.unsupported_payment(application)
        if admin
        and application.status == Status.APPROVED
        and not any(step.action == "disburse" for step in steps)
        else None,
        "evidence": application.evidence.select_related("uploaded_by").order_by(
            "item", "-uploaded_at"
        ),
        "required": services.required_evidence(application),
        "present": set(services.current_evidence_items(application)),
        "may_upload": may_edit,
        "statement_form": statement_form
        or (StatementForm(initial={"statement": application.statement}) if may_edit else None),
        "evidence_form": EvidenceForm(),
        "history": application.steps.select_related("actor"),
        "reviews": reviews,
        "reviews_submitted": sum(1 for review in reviews if review.submitted_at),
        "own_review": own_review,
        "review_form": review_form
        or (ReviewForm() if own_review and not own_review.submitted_at else None),
        "reviewer_candidates": rank_experts(
            application.enterprise, f"{application.version.title} {application.version.category}"
        )
        if admin and application.status == Status.IN_REVIEW
        else None,
        "objections": application.objections.select_related("filed_by"),
        "objection_form": ObjectionForm() if application.status == Status.PUBLICITY else None,
        "resolve_form": ResolveForm() if admin else None,
        "is_admin": admin,
    }
    status = 200 if statement_form is None and review_form is None else 400
    return render(request, "applications/detail.html", context, status=status)


@role_required()
@require_POST
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the statement; a wrong one shows the page again with the text kept."""
    application = get_object_or_404(_applications(request.user), pk=pk)
    form = StatementForm(request.POST)
    return _save_or_show_again(
        request,
        application,
        form,
        lambda: services.update_statement(
            request.user, application, form.cleaned_data["statement"]
        ),
        gettext("The statement was saved."),
        "statement_form",
    )


def _save_or_show_again(
    request: HttpRequest, application: Application, form, save, done: str, name: str
) -> HttpResponse:
    """Run `save` for a valid form and go back to the page saying `done`; a refusal goes back
    with its reason; wrong input shows the page again with the form as typed (its `name` in
    `_detail`) and the errors on their fields."""
    if form.is_valid():
        try:
            save()
        except TransitionRefused as error:
            messages.error(request, error_message(error))
            return redirect(application)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(application)
    return _detail(request, application, **{name: form})


@role_required()
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request.user), pk=pk)
    return take_posted_step(request, application, ApplicationStepForm)


@role_required()
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request.user), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    return act_and_return(
        request,
        application,
        lambda: services.add_evidence(
            request.user, application, form.cleaned_data["item"], form.cleaned_data["file"]
        ),
        form=form,
    )


@role_required()
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is served only through here, to those who may see the application."""
    evidence = get_object_or_404(
        Evidence.objects.filter(application__in=Application.objects.restrict(request.user, "view")),
        pk=pk,
    )
    return download(evidence.file, evidence.original_name)


@role_required(Role.ADMIN)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request.user), pk=pk)
    form = AssignForm(request.POST, experts=eligible_experts(application.enterprise_id))
    return act_and_return(
        request,
        application,
        lambda: services.assign_reviewers(
            request.user, application, list(form.cleaned_data["reviewers"])
        ),
        done=gettext("Experts assigned; waiting for their reviews."),
        form=form,
    )


@role_required(Role.EXPERT)
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request.user), pk=pk)
    own = application.reviews.filter(reviewer=request.user).first()
    if own is None:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    return _save_or_show_again(
        request,
        application,
        form,
        lambda: services.submit_review(request.user, own, **form.cleaned_data),
        gettext("Review submitted; staff start the public notice once every expert has submitted."),
        "review_form",
    )


@role_required()
@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.filter(status=Status.PUBLICITY), pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect("applications:publicity")
    try:
        services.file_objection(request.user, application, form.cleaned_data["text"])
    except (TransitionRefused, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("Your objection was filed."))
    return redirect("applications:publicity")


@role_required(Role.ADMIN)
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("application"), pk=pk)
    form = ResolveForm(request.POST)
    return act_and_return(
        request,
        objection.application,
        lambda: services.resolve_objection(request.user, objection, **form.cleaned_data),
        form=form,
    )


def publicity(request: HttpRequest) -> HttpResponse:
    """The public notice (公示): applications in their objection window, open to everyone."""
    rows = (
        Application.objects.filter(status=Status.PUBLICITY, publicity_ends_at__gte=timezone.now())
        .select_related("enterprise", "version")
        .order_by("publicity_ends_at")
    )
    if wants_xlsx(request):
        return export_list(
            "public-notice.xlsx", PUBLICITY_COLUMNS, rows, title=gettext("Public notice")
        )
    return render(
        request,
        "applications/publicity.html",
        {"page": paginate(request, rows), "objection_form": ObjectionForm(), "query": ""},
    )


PUBLICITY_COLUMNS = [
    Column(_("Number"), lambda a: a.number),
    Column(_("Enterprise"), lambda a: a.enterprise.name),
    Column(_("Clause"), lambda a: a.version.title),
    Column(_("Project"), lambda a: a.project),
    Column(_("Amount assessed"), lambda a: a.amount_assessed),
    Column(_("Open to objection until"), lambda a: a.publicity_ends_at),
]
