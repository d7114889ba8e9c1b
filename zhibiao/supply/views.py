"""Pages of the supply platform: the public catalogue, demands, offers, expert profiles."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import has_role, is_district_admin, role_required
from zhibiao.committee import services as committee
from zhibiao.committee.models import ConflictOfInterest, ExpertProfile
from zhibiao.core.errors import ConcurrentChange
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import service_errors_on
from zhibiao.core.listfilters import by_status, group_choices
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.permissions import can
from zhibiao.core.steps import act_and_return, take_posted_step
from zhibiao.core.uploads import download
from zhibiao.core.workflow import available
from zhibiao.directory import uscc
from zhibiao.directory.forms import PlaceFilterForm
from zhibiao.directory.models import Organisation, Town
from zhibiao.supply import services
from zhibiao.supply.forms import (
    ConflictForm,
    DemandForm,
    DemandStepForm,
    ExpertProfileForm,
    OfferingForm,
    StaffDemandForm,
    StaffOfferingForm,
)
from zhibiao.supply.models import STATUS_GROUPS as DEMAND_GROUPS
from zhibiao.supply.models import Attachment, Category, Demand, DemandStatus, Offering, PriceModel
from zhibiao.supply.services import PUBLISHER_ROLES


def catalogue(request: HttpRequest) -> HttpResponse:
    rows = Offering.objects.filter(is_active=True).select_related("organisation", "expert", "stats")
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    price = request.GET.get("price", "")
    town = request.GET.get("town", "")
    if q:
        rows = rows.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(qualifications__icontains=q)
            | Q(organisation__name__icontains=q)
        )
    if category in Category.values:
        rows = rows.filter(category=category)
    if price in PriceModel.values:
        rows = rows.filter(price_model=price)
    if wants_xlsx(request):
        served = _serving(rows, town) if town in Town.values else rows
        title = gettext("Quality services")
        return export_list("services.xlsx", OFFERING_COLUMNS, served, title=title)
    page = paginate(request, rows)
    if town in Town.values:
        page = paginate(request, list(_serving(rows, town)))
    context = {
        "page": page,
        "query": query_without_page(request),
        "categories": Category.choices,
        "prices": PriceModel.choices,
        "towns": Town.choices,
        "q": q,
        "category": category,
        "price": price,
        "town": town,
        "may_publish": has_role(request.user, *PUBLISHER_ROLES),
    }
    return render(request, "supply/catalogue.html", context)


def _serving(rows, town: str):
    """The offerings that serve a town or the whole district. Towns are a JSON list, which
    SQLite cannot search: filtered here, reading the candidates a chunk at a time."""
    return (o for o in rows.iterator(chunk_size=2000) if not o.towns or town in o.towns)


def _towns(offering: Offering) -> str:
    if not offering.towns:
        return gettext("The whole district")
    names = dict(Town.choices)
    return "、".join(str(names.get(town, town)) for town in offering.towns)


OFFERING_COLUMNS = [
    Column(_("Title"), lambda o: o.title),
    Column(_("Provider"), lambda o: o.provider_name),
    Column(_("Category"), lambda o: o.get_category_display()),
    Column(_("Price"), lambda o: o.get_price_model_display()),
    Column(_("Indicative price (yuan)"), lambda o: o.indicative_price),
    Column(_("Typical turnaround (days)"), lambda o: o.turnaround_days),
    Column(_("Towns served"), _towns),
    Column(_("Qualifications"), lambda o: o.qualifications),
]


def offering_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offering = get_object_or_404(
        Offering.objects.select_related("organisation", "expert", "stats"), pk=pk
    )
    may_edit = can(request.user, "manage", Offering(pk=pk))
    if not offering.is_active and not may_edit:
        raise Http404
    return render(
        request, "supply/offering_detail.html", {"offering": offering, "may_edit": may_edit}
    )


@role_required(*PUBLISHER_ROLES)
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    offering = (
        get_object_or_404(Offering.objects.restrict(request.user, "manage"), pk=pk) if pk else None
    )
    initial = {}
    if offering:
        initial = {name: getattr(offering, name) for name in services.OFFERING_FIELDS}
        initial["industries"] = ", ".join(offering.industries)
        initial["seen"] = offering.updated_at.isoformat()
    # Staff publish for a provider or a base, which they name; everyone else for their own.
    staff_publishes = offering is None and is_district_admin(request.user)
    form_class = StaffOfferingForm if staff_publishes else OfferingForm
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        seen = data.pop("seen", None)
        with service_errors_on(form):
            try:
                saved = services.save_offering(request.user, data, offering=offering, seen=seen)
            except ConcurrentChange as error:  # a colleague saved meanwhile: keep what was typed
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("Your changes were saved."))
                return redirect(saved)
    return render(request, "supply/offering_form.html", {"form": form, "offering": offering})


def _demands(user):
    return Demand.objects.restrict(user, "view").select_related("enterprise")


@role_required()
def demand_list(request: HttpRequest) -> HttpResponse:
    places = PlaceFilterForm(request.GET)
    rows = places.narrow(_demands(request.user), "enterprise", "posted_at")
    rows, status = by_status(
        rows, request.GET.get("status", ""), DemandStatus.values, DEMAND_GROUPS
    )
    if wants_xlsx(request):
        title = gettext("Demands")
        return export_list("demands.xlsx", DEMAND_COLUMNS, rows.order_by("pk"), title=title)
    return render(
        request,
        "supply/demand_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "statuses": DemandStatus.choices,
            "groups": group_choices(DEMAND_GROUPS),
            "status": status,
            "places": places,
        },
    )


DEMAND_COLUMNS = [
    Column(_("Enterprise"), lambda d: d.enterprise.name),
    Column(_("Category"), lambda d: d.get_category_display()),
    Column(_("Description"), lambda d: d.description),
    Column(_("Urgency"), lambda d: d.get_urgency_display()),
    Column(_("Status"), lambda d: d.get_status_display()),
    Column(_("Posted"), lambda d: d.posted_at),
    Column(_("Accepted"), lambda d: d.accepted_at),
    Column(_("Delivered"), lambda d: d.delivered_at),
    Column(_("Rating"), lambda d: d.rating),
]


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def demand_new(request: HttpRequest) -> HttpResponse:
    staff = is_district_admin(request.user)
    form_class = StaffDemandForm if staff else DemandForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with service_errors_on(form):
            demand = services.post_demand(request.user, data, files=data.pop("files", []))
            messages.success(request, gettext("Your demand was posted."))
            return redirect(demand)
    return render(request, "supply/demand_form.html", {"form": form, "staff": staff})


@role_required()
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_demands(request.user), pk=pk)
    user = request.user
    may_choose = demand.status == DemandStatus.POSTED and services.may_choose(user, demand)
    context = {
        "demand": demand,
        "offers": demand.offers.select_related("offering__organisation", "expert", "made_by"),
        "steps": available(user, demand),
        "history": demand.steps.select_related("actor"),
        "attachments": demand.attachments.all(),
        "candidates": services.candidates(demand) if may_choose else None,
        "is_enterprise": services.acts_for_enterprise(user, demand),
        "response_overdue": demand.response_overdue(),
        "delivery_overdue": demand.delivery_overdue(),
    }
    return render(request, "supply/demand_detail.html", context)


@role_required()
@require_POST
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_demands(request.user), pk=pk)
    return act_and_return(
        request,
        demand,
        lambda: services.make_offer(request.user, demand, request.POST.get("candidate", "")),
    )


@role_required()
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    answer = take_posted_step(
        request, get_object_or_404(_demands(request.user), pk=pk), DemandStepForm
    )
    if not _demands(request.user).filter(pk=pk).exists():
        return redirect("supply:demands")  # declined: the demand is no longer theirs to see
    return answer


@role_required()
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(Attachment.objects.filter(demand__in=_demands(request.user)), pk=pk)
    return download(item.file, item.original_name)


@role_required(Role.EXPERT)
@require_http_methods(["GET", "POST"])
def expert_profile(request: HttpRequest) -> HttpResponse:
    profile = ExpertProfile.objects.filter(user=request.user).first()
    initial = {"availability": "available", "capacity": 5}
    if profile:
        initial = {
            "availability": profile.availability,
            "capacity": profile.capacity,
            "industries": ", ".join(profile.industries),
            "bio": profile.bio,
        }
    form = ExpertProfileForm(request.POST if "profile" in request.POST else None, initial=initial)
    conflict_form = ConflictForm(request.POST if "conflict" in request.POST else None)
    if request.method == "POST" and "profile" in request.POST and form.is_valid():
        with service_errors_on(form):
            committee.update_profile(request.user, **form.cleaned_data)
            messages.success(request, gettext("Your changes were saved."))
            return redirect("supply:expert_profile")
    if request.method == "POST" and "conflict" in request.POST and conflict_form.is_valid():
        organisation = Organisation.objects.filter(
            uscc=uscc.normalise(conflict_form.cleaned_data["uscc"])
        ).first()
        if organisation is None:
            conflict_form.add_error(
                "uscc", gettext("No organisation with this credit code is registered.")
            )
        else:
            committee.declare_conflict(
                request.user, request.user, organisation, conflict_form.cleaned_data["reason"]
            )
            messages.success(request, gettext("Your conflict of interest is recorded."))
            return redirect("supply:expert_profile")
    context = {
        "form": form,
        "conflict_form": conflict_form,
        "conflicts": ConflictOfInterest.objects.filter(expert=request.user).select_related(
            "organisation"
        ),
    }
    return render(request, "supply/expert_profile.html", context)
