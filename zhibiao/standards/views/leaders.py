"""Standard leaders (企业标准领跑者): the schemes, entering one and ranking it."""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import add_service_errors, error_message, put_on_rows, submitted
from zhibiao.core.pagination import query_without_page
from zhibiao.standards import services
from zhibiao.standards.forms import IndicatorRows, SchemeForm, entry_form
from zhibiao.standards.models import IndicatorKind, LeaderEntry, LeaderScheme


def leader_list(request: HttpRequest) -> HttpResponse:
    schemes = LeaderScheme.objects.restrict(request.user, "view")
    if wants_xlsx(request):
        leaders = (
            LeaderEntry.objects.restrict(request.user, "view")
            .leaders()
            .filter(scheme__in=schemes)
            .select_related("scheme", "enterprise")
            .order_by("-scheme__year", "scheme__product_category", "rank", "pk")
        )
        title = gettext("Enterprise standard leaders")
        return export_list("standard-leaders.xlsx", LEADER_COLUMNS, leaders, title=title)
    leaders = (
        LeaderEntry.objects.restrict(request.user, "view").leaders().select_related("enterprise")
    )
    schemes = schemes.prefetch_related(Prefetch("entries", queryset=leaders.order_by("rank")))
    years = [
        (year, list(items)) for year, items in itertools.groupby(schemes, key=lambda s: s.year)
    ]
    context = {
        "years": years,
        "query": query_without_page(request),
        "may_create": is_district_admin(request.user),
    }
    return render(request, "standards/leader_list.html", context)


LEADER_COLUMNS = [
    Column(_("Year"), lambda e: e.scheme.year),
    Column(_("Product category"), lambda e: e.scheme.product_category),
    Column(_("Evaluation"), lambda e: e.scheme.title),
    Column(_("Rank"), lambda e: e.rank),
    Column(_("Enterprise"), lambda e: e.enterprise.name),
    Column(_("Product"), lambda e: e.product),
    Column(_("Score"), lambda e: e.score),
]


def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = LeaderScheme.objects.get_for(request.user, "view", pk)
    indicators = list(scheme.indicators.all())
    entries = list(scheme.entries.select_related("enterprise").prefetch_related("values"))
    entries.sort(key=lambda e: (e.rank is None, e.rank or 0, e.enterprise.name))
    for entry in entries:
        by_indicator = {v.indicator_id: v for v in entry.values.all()}
        entry.cells = [by_indicator.get(i.pk) for i in indicators]
    context = {
        "scheme": scheme,
        "indicators": indicators,
        "entries": entries,
        "core_count": sum(1 for i in indicators if i.kind == IndicatorKind.CORE),
        "may_rank": is_district_admin(request.user),
        "may_enter": request.user.is_authenticated
        and request.user.role in (Role.ENTERPRISE, Role.BASE_MANAGER)
        and scheme.status == "open",
    }
    return render(request, "standards/scheme_detail.html", context)


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@require_http_methods(["GET", "POST"])
def scheme_enter(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = LeaderScheme.objects.get_for(request.user, "view", pk)
    form = entry_form(scheme)(request.POST or None)

    def save(data):
        values = {
            int(name.removeprefix("indicator_")): value
            for name, value in data.items()
            if name.startswith("indicator_")
        }
        return services.enter_scheme(request.user, scheme, data["product"], values)

    if submitted(request, form, save, gettext("Your entry was saved.")):
        return redirect(scheme)
    own = LeaderEntry.objects.restrict(request.user, "change").filter(scheme=scheme)
    return render(
        request, "standards/scheme_enter.html", {"form": form, "scheme": scheme, "own": own}
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    """A district administrator opens an evaluation: its product category and year, and its
    indicators (three core ones at least) with their thresholds."""
    form = SchemeForm(request.POST or None, initial={"year": timezone.localdate().year})
    rows = IndicatorRows(request.POST or None, prefix="indicators")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        filled = [row for row in rows if row.has_changed()]
        specs = [
            {k: v for k, v in row.cleaned_data.items() if v not in ("", None)} for row in filled
        ]
        try:
            scheme = services.create_scheme(request.user, form.cleaned_data, specs)
        except ValidationError as error:
            _put_scheme_errors(form, filled, error)
        else:
            messages.success(request, gettext("The evaluation is open for entries."))
            return redirect(scheme)
    return render(request, "standards/scheme_form.html", {"form": form, "rows": rows})


def _put_scheme_errors(form, filled, error: ValidationError) -> None:
    """The service names an indicator's error `indicators.<n>.<field>`, n counting the filled
    rows from 1: put it on that row's field; the rest on the form."""
    rest = put_on_rows(error, "indicators", {str(n): row for n, row in enumerate(filled, 1)})
    if rest:
        add_service_errors(form, ValidationError(rest))


@role_required(Role.ADMIN)
@require_POST
def scheme_rank(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = LeaderScheme.objects.get_for(request.user, "view", pk)
    try:
        leaders = services.rank_scheme(request.user, scheme)
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request, gettext("Ranked: %(count)s eligible entries.") % {"count": len(leaders)}
        )
    return redirect(scheme)
