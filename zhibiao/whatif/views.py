"""Pages of the scenarios, for district staff: the list, a scenario and its drafts (checked as
they are typed, like the clause editor), its impact, saving, publishing, the comparison of
scenarios, and the budgets. The work is in `services` and `impact`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.exports import xlsx_response
from zhibiao.core.forms import error_message, form_error_message, whole_number
from zhibiao.core.workflow import available, done_message
from zhibiao.measures.models import Clause, ClauseVersion, RuleBook
from zhibiao.measures.views import check_result
from zhibiao.whatif import impact as impacts
from zhibiao.whatif import services
from zhibiao.whatif.forms import BudgetForm, DraftForm, RevisionForm, SaveForm, StartForm
from zhibiao.whatif.models import Budget, Scenario, ScenarioStatus

#: The lists of the impact page and their export, with the names the page gives them (the
#: export's sheet is named as its tab on the page).
LISTS = ("losers", "gainers", "changed")
LIST_LABELS = {
    "losers": gettext_lazy("Losers"),
    "gainers": gettext_lazy("Gainers"),
    "changed": gettext_lazy("Amount changed"),
}
PAGE_ROWS = 50
#: An export is bounded: the reasons take an explanation of each enterprise.
EXPORT_ROWS = 5000


def _scenario(request: HttpRequest, pk: int, action: str = "view") -> Scenario:
    """The scenario for a page: "view" to read it, "change" for a page that edits it."""
    return Scenario.objects.select_related("rulebook__document", "author").get_for(
        request.user, action, pk
    )


@role_required(Role.ADMIN)
def scenario_list(request: HttpRequest) -> HttpResponse:
    scenarios = Scenario.objects.restrict(request.user, "view").select_related("rulebook", "author")
    return render(
        request,
        "whatif/list.html",
        {
            "scenarios": scenarios,
            "rulebooks": RuleBook.objects.select_related("document"),
            "form": StartForm(),
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def scenario_start(request: HttpRequest) -> HttpResponse:
    """Start a scenario from a clause's page (`clause`) or from a rule book (`rulebook`)."""
    code = request.GET.get("clause") or request.POST.get("clause") or ""
    clauses = Clause.objects.restrict(request.user, "view").select_related("rulebook")
    clause = get_object_or_404(clauses, code=code) if code else None
    if clause is not None:
        rulebook = clause.rulebook
    else:
        book = request.GET.get("rulebook") or request.POST.get("rulebook") or ""
        books = RuleBook.objects.select_related("document")
        # Without one named, the first (as the clause editor's "new clause" does).
        rulebook = get_object_or_404(books, code=book) if book else books.first()
        if rulebook is None:
            raise Http404
    problem = services.document_problem(rulebook)
    initial = {"title": gettext("Change to %(code)s") % {"code": clause.code} if clause else ""}
    form = StartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.start_scenario(
                request.user, rulebook, title=form.cleaned_data["title"], clause=clause
            )
        except ValidationError as error:
            form.add_error(None, error_message(error))
        else:
            if clause is not None:
                return redirect("whatif:draft", pk=scenario.pk, code=clause.code)
            return redirect(scenario)
    context = {"form": form, "clause": clause, "rulebook": rulebook, "problem": problem}
    return render(request, "whatif/start.html", context)


@role_required(Role.ADMIN)
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    drafts = list(scenario.drafts.select_related("clause"))
    drafted = {draft.code for draft in drafts}
    clauses = [c for c in scenario.rulebook.clauses.all() if c.code not in drafted]
    return render(
        request,
        "whatif/scenario.html",
        {
            "scenario": scenario,
            "drafts": drafts,
            "clauses": clauses,
            "steps": {step.action for step in available(request.user, scenario)},
            "problems": services.draft_problems(scenario) if scenario.editable else [],
            "document_problem": services.document_problem(scenario.rulebook),
            "save_form": SaveForm(initial={"revision": scenario.revision}),
            "history": scenario.steps.select_related("actor"),
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int, code: str | None = None) -> HttpResponse:
    """Write a clause's draft (or a new clause's): the editor's text, checked as it is typed."""
    scenario = _scenario(request, pk, "change")
    code = code or request.GET.get("clause") or None
    clause = Clause.objects.filter(code=code, rulebook=scenario.rulebook).first() if code else None
    draft = scenario.drafts.filter(code=code).first() if code else None
    if code and clause is None and draft is None:
        raise Http404  # neither a clause of the rule book nor a new clause drafted here
    errors = None
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                services.set_draft(
                    request.user,
                    scenario,
                    revision=form.cleaned_data["revision"],
                    text=form.cleaned_data["text"],
                    clause=clause,
                    removed=form.cleaned_data["removed"],
                    was=draft.code if draft is not None and clause is None else "",
                )
            except services.DraftInvalid as invalid:
                errors = invalid.errors
            except TransitionRefused as refused:
                messages.error(request, str(refused))
            except ValidationError as error:
                form.add_error(None, error_message(error))
            else:
                messages.success(request, gettext("The draft is kept in the scenario."))
                return redirect(scenario)
    else:
        text = draft.text if draft and not draft.removed else ""
        text = text or services.initial_text(scenario.rulebook, clause)
        form = DraftForm(
            initial={
                "text": text,
                "removed": bool(draft and draft.removed),
                "revision": scenario.revision,
            }
        )
    return render(
        request,
        "whatif/draft.html",
        {"scenario": scenario, "clause": clause, "code": code, "form": form, "errors": errors},
    )


@role_required(Role.ADMIN)
@require_POST
def draft_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The live check of a draft, exactly the clause editor's (same partial, same messages)."""
    scenario = _scenario(request, pk)
    code = request.POST.get("clause") or ""
    clause = Clause.objects.filter(code=code, rulebook=scenario.rulebook).first() if code else None
    text = request.POST.get("text", "")[:50_000]
    return check_result(request, services.check_draft(scenario.rulebook, text, clause))


@role_required(Role.ADMIN)
@require_POST
def draft_drop(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scenario = _scenario(request, pk, "change")
    form = RevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
    else:
        try:
            services.drop_draft(
                request.user, scenario, code=code, revision=form.cleaned_data["revision"]
            )
        except TransitionRefused as refused:
            messages.error(request, str(refused))
        except ValidationError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, gettext("The draft is taken out of the scenario."))
    return redirect(scenario)


def _list_kind(request: HttpRequest) -> str:
    kind = request.GET.get("list") or "losers"
    return kind if kind in LISTS else "losers"


@role_required(Role.ADMIN)
def impact_page(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    found = services.impact_of(request.user, scenario)
    kind = _list_kind(request)
    # As every list's pagination: a page past the last shows the last, a page number that is
    # no number the first.
    pages = max((len(found.rows(kind)) + PAGE_ROWS - 1) // PAGE_ROWS, 1)
    page = min(max(whole_number(request.GET.get("page")) or 1, 1), pages)
    count, rows = found.listing(kind, offset=(page - 1) * PAGE_ROWS, limit=PAGE_ROWS)
    figures = found.figures()
    return render(
        request,
        "whatif/impact.html",
        {
            "scenario": scenario,
            "figures": figures,
            "kind": kind,
            "lists": LISTS,
            "rows": rows,
            "count": count,
            "page": page,
            "pages": pages,
            "dimensions": impacts.DIMENSIONS,
            # The screening grants nothing under a document not in force: the figures say what
            # its clauses would pay, so the page says why the district pays none of it.
            "document_problem": services.document_problem(scenario.rulebook),
            "save_form": SaveForm(initial={"revision": scenario.revision}),
            "steps": {step.action for step in available(request.user, scenario)},
        },
    )


@role_required(Role.ADMIN)
def impact_export(request: HttpRequest, pk: int) -> FileResponse:
    """The gainers, losers or changed as an Excel sheet, with the reason of each."""
    scenario = _scenario(request, pk)
    found = services.impact_of(request.user, scenario)
    kind = _list_kind(request)
    count, rows = found.listing(kind, limit=EXPORT_ROWS)
    headers = [
        gettext("Enterprise"),
        gettext("Town"),
        gettext("Amount now (yuan)"),
        gettext("Amount with the drafts (yuan)"),
        gettext("Difference (yuan)"),
        gettext("Reason"),
    ]
    # The amounts as numbers (the listing gives them as text, for JSON): a sheet sums them.
    data: list[tuple[str | Decimal, ...]] = [
        (
            row["name"],
            row["town"],
            Decimal(row["old"]),
            Decimal(row["new"]),
            Decimal(row["difference"]),
            row["reason"],
        )
        for row in rows
    ]
    if count > len(rows):
        # The sheet is cut; a reader must not take it for the whole list.
        data.append(
            (
                gettext(
                    "The first %(shown)s of %(count)s enterprises; the impact page lists them all."
                )
                % {"shown": f"{len(rows):,}", "count": f"{count:,}"},
            )
        )
    return xlsx_response(
        f"scenario-{scenario.pk}-{kind}.xlsx", headers, data, title=str(LIST_LABELS[kind])
    )


def _step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scenario = _scenario(request, pk, "change")
    form = SaveForm(request.POST) if action == "save" else RevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_message(ValidationError(form.errors)))
        return redirect(scenario)
    revision = form.cleaned_data["revision"]
    try:
        if action == "save":
            scenario = services.save_scenario(
                request.user, scenario, comment=form.cleaned_data["comment"], revision=revision
            )
        else:
            scenario = services.publish_scenario(request.user, scenario, revision=revision)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        step = services.SCENARIO_MACHINE.step(action)
        messages.success(request, done_message(step, scenario))
    return redirect(scenario)


@role_required(Role.ADMIN)
@require_POST
def scenario_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "save")


@role_required(Role.ADMIN)
@require_POST
def scenario_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "publish")


@role_required(Role.ADMIN)
def compare(request: HttpRequest) -> HttpResponse:
    """Saved (or published) scenarios side by side, by the figures they were saved with."""
    # Anything but a number a primary key can be names no scenario and is passed over.
    numbers = (whole_number(value) for value in request.GET.getlist("scenario")[:50])
    ids = [number for number in numbers if number is not None][:6]
    scenarios = list(
        Scenario.objects.restrict(request.user, "view")
        .filter(pk__in=ids)
        .exclude(status=ScenarioStatus.DRAFT)
        .order_by("pk")
    )
    chart = {
        "names": [s.title for s in scenarios],
        "now": [s.figures.get("now", {}).get("total", "0") for s in scenarios],
        "draft": [s.figures.get("draft", {}).get("total", "0") for s in scenarios],
        "by": {dimension: _compare_rows(scenarios, dimension) for dimension in ("town", "section")},
        "labels": {
            "now": gettext("Now"),
            "draft": gettext("With the drafts"),
        },
    }
    return render(
        request,
        "whatif/compare.html",
        {
            "scenarios": scenarios,
            "chart": chart,
            "choices": Scenario.objects.restrict(request.user, "view").exclude(
                status=ScenarioStatus.DRAFT
            ),
            "chosen": {s.pk for s in scenarios},
        },
    )


def _compare_rows(scenarios: list[Scenario], dimension: str) -> dict:
    """The breakdown's labels (by the first scenario's order) and each scenario's totals with
    its drafts."""
    labels: dict[str, str] = {}
    for scenario in scenarios:
        for row in scenario.figures.get("by", {}).get(dimension, []):
            labels.setdefault(row["key"], row["label"])
    keys = list(labels)
    series = []
    for scenario in scenarios:
        totals = {
            row["key"]: row["draft"] for row in scenario.figures.get("by", {}).get(dimension, [])
        }
        series.append({"name": scenario.title, "values": [totals.get(k, "0") for k in keys]})
    return {"labels": [labels[k] for k in keys], "series": series}


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest, code: str) -> HttpResponse:
    rulebook = get_object_or_404(RuleBook.objects.select_related("document"), code=code)
    # Each clause by its code and the title of its latest published version.
    titles = (
        ClauseVersion.objects.published()
        .filter(clause=OuterRef("pk"))
        .order_by("-number")
        .values("title")[:1]
    )
    clauses = [
        (code, title or "")
        for code, title in rulebook.clauses.annotate(title=Subquery(titles)).values_list(
            "code", "title"
        )
    ]
    form = BudgetForm(
        request.POST or None, clauses=clauses, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        clause_code = form.cleaned_data["clause"]
        clause = rulebook.clauses.filter(code=clause_code).first() if clause_code else None
        if clause_code and clause is None:
            raise Http404
        try:
            services.set_budget(
                request.user,
                rulebook,
                year=form.cleaned_data["year"],
                amount=form.cleaned_data["amount"],
                clause=clause,
            )
        except ValidationError as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, gettext("The budget is set."))
            return redirect("whatif:budgets", code=rulebook.code)
    rows = Budget.objects.restrict(request.user, "view").filter(rulebook=rulebook)
    return render(
        request,
        "whatif/budgets.html",
        {"rulebook": rulebook, "form": form, "budgets": rows.select_related("clause", "set_by")},
    )
