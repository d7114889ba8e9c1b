"""The dashboard page, its data for the charts, and the yearly report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from zhibiao.accounts.permissions import role_required
from zhibiao.awards import services as awards
from zhibiao.core.pagecache import do_not_keep, kept_per_user
from zhibiao.dashboard import dossier, services
from zhibiao.dashboard.charts import chart_data
from zhibiao.dashboard.forms import DashboardFilterForm
from zhibiao.dashboard.report import render as render_report
from zhibiao.directory.models import Organisation, Town


@role_required(*services.VIEWER_ROLES)
@kept_per_user
def index(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET, user=request.user)
    scope = form.scope()
    this_year = timezone.localdate().year
    context = {
        "form": form,
        "scope": scope,
        "present": request.GET.get("present") == "1",
    }
    if scope is not None:
        year = scope.year or this_year
        focus = request.GET.get("indicator", "")
        context.update(
            figures=services.figures(scope, viewer=request.user),
            charts=chart_data(scope, year, focus, viewer=request.user),
            year=year,
            award=awards.latest_figures(year),
        )
        if not services.figures_are_current():
            do_not_keep(request)  # the rebuilt figures show on the next page, not in a minute
    years = list(range(this_year, services.FIRST_DATA_YEAR - 1, -1))
    chosen = form.cleaned_data.get("year") if form.is_valid() else None
    if chosen and chosen not in years:
        years.append(chosen)
    context["years"] = years
    context["towns"] = Town.choices
    return render(request, "dashboard/index.html", context)


@role_required(*services.VIEWER_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    """The yearly report as a PDF; a wrong filter returns to the dashboard with its message."""
    form = DashboardFilterForm(request.GET, user=request.user)
    scope = form.scope()
    if scope is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dashboard:index")
    year = scope.year or timezone.localdate().year
    response = HttpResponse(
        render_report(scope, viewer=request.user), content_type="application/pdf"
    )
    name = f"zhibiao-report-{year}{'-' + scope.town if scope.town else ''}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required()
def enterprise_file(request: HttpRequest, pk: int) -> HttpResponse:
    """一企一档: for district staff and the enterprise's own users; to anyone else the file does
    not exist (404), whether or not the organisation does."""
    organisation = get_object_or_404(
        Organisation.objects.restrict(request.user, "view_private"), pk=pk
    )
    data = dossier.sections(organisation)
    moments = dossier.timeline(organisation, data)
    context = {
        "organisation": organisation,
        "data": data,
        "summary": dossier.summary(organisation, data),
        "timeline": moments,
        "timeline_latest": moments[: dossier.TIMELINE_SHOWN],
        "timeline_earlier": moments[dossier.TIMELINE_SHOWN :],
    }
    return render(request, "dashboard/enterprise_file.html", context)
