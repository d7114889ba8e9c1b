"""Pages of the district quality award: the calls, a cycle with its ranking, an entry as each
role works on it (the enterprise writes, staff check and steer, experts score), the public
notice's objections, the certificate and the feedback report. Thin: each page asks the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, is_district_admin, role_required
from zhibiao.awards import reports, services
from zhibiao.awards.criteria import BANDS, CATEGORIES, ITEMS, PERCENTS, PROCESS_GUIDE, RESULTS_GUIDE
from zhibiao.awards.forms import CycleForm, ProfileForm, SiteVisitForm
from zhibiao.awards.models import Assignment, Cycle, CycleStatus, Entry, EntryStatus, Objection
from zhibiao.committee import services as committee
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.forms import error_message, service_errors_on, whole_number
from zhibiao.core.steps import act_and_return
from zhibiao.core.workflow import available, done_message, machine_for


def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = Cycle.objects.restrict(request.user, "view")
    return render(
        request,
        "awards/cycle_list.html",
        {"cycles": cycles, "may_create": is_district_admin(request.user)},
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            cycle = services.create_cycle(request.user, form.cleaned_data)
            messages.success(request, gettext("The call is published; open it when ready."))
            return redirect(cycle)
    return render(request, "awards/cycle_form.html", {"form": form})


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = Cycle.objects.get_for(request.user, "view", pk)
    user = request.user
    staff = is_district_admin(user)
    own = None
    eligibility = None
    organisation_id = acts_for(user)
    if organisation_id is not None and not staff:
        own = cycle.entries.filter(organisation_id=organisation_id).exclude(status="withdrawn")
        own = own.first()
        if user.organisation.kind == "enterprise":
            eligibility = services.eligibility(user.organisation, entry=own)
    ranked = services.ranking(cycle, final=True) if staff else []
    noticed = cycle.entries.filter(
        status__in=[EntryStatus.NOTICED, EntryStatus.AWARDED]
    ).select_related("organisation")
    return render(
        request,
        "awards/cycle_detail.html",
        {
            "cycle": cycle,
            "staff": staff,
            "steps": available(user, cycle),
            "others": cycle.entries.exclude(status__in=services.RANKED_STATES)
            .select_related("organisation")
            .order_by("pk")
            if staff
            else [],
            "ranked": ranked,
            "figures": services.figures(cycle),
            "own": own,
            "eligibility": eligibility,
            "may_apply": (
                eligibility is not None and own is None and cycle.status == CycleStatus.OPEN
            ),
            "noticed": noticed if cycle.status in (CycleStatus.NOTICE, CycleStatus.AWARDED) else [],
        },
    )


@role_required(Role.ADMIN)
@require_POST
def cycle_step(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = Cycle.objects.get_for(request.user, "manage", pk)
    action = request.POST.get("action", "")
    return act_and_return(
        request,
        cycle,
        lambda: services.take_cycle_step(
            request.user, cycle, action, reason=request.POST.get("reason", "")
        ),
        done=lambda taken: done_message(machine_for(taken).step(action), taken),
    )


@role_required()
@require_POST
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = Cycle.objects.get_for(request.user, "view", pk)
    try:
        entry = services.start_entry(request.user, cycle)
    except TransitionRefused as error:
        messages.error(request, error_message(error))
        return redirect(cycle)
    messages.success(request, gettext("Your entry is open: write each item; it saves as you go."))
    return redirect(entry)


def _entry(request: HttpRequest, pk: int) -> Entry:
    return Entry.objects.get_for(
        request.user, "view", pk
    )  # 404 for another enterprise's entry or an expert not assigned


@role_required()
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    user = request.user
    staff = is_district_admin(user)
    answers = {answer.item: answer for answer in entry.answers.all()}
    assignment = None
    my_scores: dict = {}
    if user.role == Role.EXPERT:
        assignment = entry.assignments.filter(expert=user).first()
        if assignment is not None:
            my_scores = {score.item: score for score in assignment.scores.all()}
    consolidated = services.consolidate(entry) if staff else None
    visit = getattr(entry, "site_visit", None) if staff else None
    saved = visit.adjusted if visit else {}
    categories = [
        {
            "category": category,
            "guide": RESULTS_GUIDE if category.results else PROCESS_GUIDE,
            "items": [
                {
                    "item": item,
                    "answer": answers.get(item.code),
                    "score": my_scores.get(item.code),
                    "result": next(r for r in consolidated.items if r.code == item.code)
                    if consolidated
                    else None,
                }
                for item in category.items
            ],
        }
        for category in CATEGORIES
    ]
    editable = entry.status == EntryStatus.DRAFT and Entry.objects.allows(user, "change", entry.pk)
    scoring = (
        assignment is not None
        and entry.status == EntryStatus.CHECKED
        and entry.cycle.status == CycleStatus.DOCUMENT_REVIEW
    )
    return render(
        request,
        "awards/entry_detail.html",
        {
            "entry": entry,
            "cycle": entry.cycle,
            "staff": staff,
            "steps": available(user, entry),
            "categories": categories,
            "editable": editable,
            "missing": services.missing_items(entry) if editable else [],
            "eligibility": services.eligibility(entry.organisation, entry=entry)
            if editable or staff
            else None,
            "scoring": scoring,
            "percents": PERCENTS,
            "bands": BANDS,
            "consolidated": consolidated,
            "threshold": services.threshold(),
            "min_experts": services.min_experts(),
            "assignments": entry.assignments.select_related("expert") if staff else [],
            "conflicted": set(
                committee.conflicted_experts(entry.organisation_id).values_list("pk", flat=True)
            )
            if staff
            else set(),
            "eligible_experts": committee.eligible_experts(entry.organisation_id)
            if staff and entry.status == EntryStatus.CHECKED
            else [],
            "visit": visit,
            "items": ITEMS,
            # Each item with the adjusted score saved, so that the form shows it selected: the
            # visit is saved whole, and a page that showed "—" would wipe the adjustment.
            "adjusting": [(item, saved.get(item.code)) for item in ITEMS],
            "objections": entry.objections.select_related("filed_by") if staff else [],
            "may_object": entry.status == EntryStatus.NOTICED,
            "feedback_ready": services.feedback_ready(entry),
        },
    )


@role_required()
@require_POST
def entry_profile(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = ProfileForm(request.POST)
    return act_and_return(
        request,
        entry,
        lambda: services.save_profile(
            request.user, entry, form.cleaned_data["profile"], seen=form.cleaned_data["seen"]
        ),
        done=gettext("Saved."),
        form=form,
    )


@role_required()
@require_POST
def entry_answer(request: HttpRequest, pk: int, item: str) -> HttpResponse:
    """One item autosaved as it is written (htmx): answers with the saved state of the item."""
    entry = _entry(request, pk)
    revision = request.POST.get("revision", "")
    htmx = bool(request.headers.get("HX-Request"))
    try:
        answer = services.save_answer(
            request.user,
            entry,
            item,
            text=request.POST.get("text", ""),
            evidence=request.POST.get("evidence", ""),
            revision=whole_number(revision),
        )
    except (TransitionRefused, ValidationError) as error:
        if not htmx:
            messages.error(request, error_message(error))
            return redirect(entry)
        return render(request, "awards/_saved.html", {"error": error_message(error), "item": item})
    if not htmx:
        messages.success(request, gettext("Saved."))
        return redirect(entry)
    return render(request, "awards/_saved.html", {"answer": answer, "item": item})


@role_required()
@require_POST
def entry_step(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    action = request.POST.get("action", "")
    data = {}
    if action == "pass_check":
        data["serious_accident"] = {"no": False, "yes": True}.get(
            request.POST.get("serious_accident", "")
        )
    return act_and_return(
        request,
        entry,
        lambda: services.take_entry_step(
            request.user, entry, action, reason=request.POST.get("reason", ""), **data
        ),
        done=lambda taken: done_message(machine_for(taken).step(action), taken),
    )


@role_required(Role.ADMIN)
@require_POST
def entry_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Every posted expert goes to the service, so that the committee's rule refuses by name
    anyone without a current seat or with a conflict, instead of the page dropping them and
    saying "assigned" of what it did not assign."""
    entry = _entry(request, pk)
    posted = request.POST.getlist("experts")[:100]
    ids = {whole_number(value) for value in posted}
    users = list(get_user_model().objects.filter(pk__in=ids - {None}))

    def assign() -> list[Assignment]:
        if None in ids or len(users) < len(ids):
            raise ValidationError(
                {"experts": gettext("Some of the experts chosen no longer exist; reload the page.")}
            )
        return services.assign_experts(request.user, entry, users)

    return act_and_return(
        request,
        entry,
        assign,
        done=lambda created: (
            gettext("Experts assigned: %(names)s.")
            % {"names": "、".join(str(a.expert) for a in created)}
            if created
            else gettext("No expert assigned: those chosen were assigned already.")
        ),
    )


@role_required(Role.ADMIN)
@require_POST
def entry_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff take an expert off the entry (a conflict declared since), with a reason."""
    entry = _entry(request, pk)
    assignment = get_object_or_404(
        Assignment, entry=entry, pk=whole_number(request.POST.get("assignment", "")) or 0
    )
    return act_and_return(
        request,
        entry,
        lambda: services.remove_expert(request.user, assignment, request.POST.get("reason", "")),
        done=gettext("%(name)s no longer scores this entry.") % {"name": assignment.expert},
    )


@role_required(Role.EXPERT)
@require_POST
def entry_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """An expert saves their scores: every item posted with a percent, all or none, each under
    its own revision, so nothing of another expert's is touched."""
    entry = _entry(request, pk)
    assignment = get_object_or_404(Assignment, entry=entry, expert=request.user)

    def save_all() -> int:
        rows = [
            services.ScoreRow(
                item.code,
                request.POST[f"percent-{item.code}"],
                request.POST.get(f"comment-{item.code}", ""),
                whole_number(request.POST.get(f"revision-{item.code}")),
            )
            for item in ITEMS
            if request.POST.get(f"percent-{item.code}", "").strip()
        ]
        try:
            return len(services.save_scores(request.user, assignment, rows))
        except ValidationError as error:
            raise ValidationError(
                [
                    f"{key.rsplit('.', 1)[0]}：{message}"
                    for key, messages in error.message_dict.items()
                    for message in messages
                ]
            ) from None

    return act_and_return(
        request,
        entry,
        save_all,
        done=lambda saved: gettext("%(count)s scores saved.") % {"count": saved},
    )


@role_required(Role.ADMIN)
@require_POST
def entry_consensus(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    return act_and_return(
        request,
        entry,
        lambda: services.record_consensus(
            request.user,
            entry,
            request.POST.get("item", ""),
            percent=request.POST.get("percent", ""),
            note=request.POST.get("note", ""),
        ),
        done=gettext("Consensus recorded."),
    )


@role_required(Role.ADMIN)
@require_POST
def entry_site_visit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = SiteVisitForm(request.POST)
    return act_and_return(
        request,
        entry,
        lambda: services.record_site_visit(
            request.user, entry, adjusted=form.adjusted(request.POST), **form.cleaned_data
        ),
        done=gettext("Site visit recorded."),
        form=form,
    )


@role_required()
@require_POST
def entry_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Objections are public: anyone signed in may object to an award on notice."""
    entry = get_object_or_404(Entry, pk=pk)
    if entry.status != EntryStatus.NOTICED and not Entry.objects.allows(
        request.user, "view", entry.pk
    ):
        raise Http404
    done = gettext("Objection filed; district staff will look into it.")
    try:
        services.file_objection(request.user, entry, request.POST.get("text", ""))
    except (TransitionRefused, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, done)
    return redirect(entry.cycle)


@role_required(Role.ADMIN)
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("entry"), pk=pk)
    return act_and_return(
        request,
        objection.entry,
        lambda: services.resolve_objection(
            request.user,
            objection,
            resolution=request.POST.get("resolution", ""),
            note=request.POST.get("note", ""),
        ),
        done=gettext("Objection resolved."),
    )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required()
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if entry.status != EntryStatus.AWARDED:
        raise Http404
    return _pdf(reports.certificate(entry), f"award-certificate-{entry.pk}.pdf")


@role_required()
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    entry = Entry.objects.get_for(request.user, "read_feedback", pk)
    if not services.feedback_ready(entry):
        raise Http404
    return _pdf(reports.feedback(entry), f"award-feedback-{entry.pk}.pdf")
