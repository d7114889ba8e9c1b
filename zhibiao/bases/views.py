"""Training bases: the public list and pages, and the managers' capability editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.permissions import role_required
from zhibiao.bases import services
from zhibiao.bases.forms import CapabilityForm
from zhibiao.bases.models import Batch, TrainingBase
from zhibiao.core.forms import add_service_errors


def _bases():
    return (
        TrainingBase.objects.listed()
        .select_related("organisation", "batch")
        .prefetch_related("capabilities")
    )


def base_list(request: HttpRequest) -> HttpResponse:
    batches = Batch.objects.all()
    context = {
        "bases": _bases(),
        "batches": batches,
        "managed_ids": set(
            TrainingBase.objects.managed_by(request.user).values_list("pk", flat=True)
        ),
    }
    return render(request, "bases/base_list.html", context)


def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(_bases(), pk=pk)
    may_manage = TrainingBase.objects.managed_by(request.user).filter(pk=pk).exists()
    return render(request, "bases/base_detail.html", {"base": base, "may_manage": may_manage})


@role_required()
@require_http_methods(["GET", "POST"])
def capability_create(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(TrainingBase.objects.managed_by(request.user), pk=pk)
    form = CapabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_capability(request.user, base, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The capability was added."))
            return redirect(base)
    return render(request, "bases/capability_form.html", {"form": form, "base": base})


@role_required()
@require_POST
def capability_delete(request: HttpRequest, pk: int, capability_pk: int) -> HttpResponse:
    base = get_object_or_404(TrainingBase.objects.managed_by(request.user), pk=pk)
    capability = get_object_or_404(base.capabilities, pk=capability_pk)
    services.remove_capability(request.user, capability)
    messages.success(request, gettext("The capability was removed."))
    return redirect(base)
