"""News on the public site (/news/) and its editing by district staff."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.bases.models import TrainingBase
from zhibiao.core.forms import submitted
from zhibiao.core.pagination import paginate
from zhibiao.events.models import Event
from zhibiao.news import services
from zhibiao.news.forms import NewsForm
from zhibiao.news.models import NewsItem
from zhibiao.news.services import NEWS_FIELDS, NEWS_LINKS
from zhibiao.policies.models import PolicyDocument


def news_list(request: HttpRequest) -> HttpResponse:
    items = NewsItem.objects.restrict(request.user, "view")
    context = {"page": paginate(request, items), "may_write": is_district_admin(request.user)}
    return render(request, "news/news_list.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a news report, or correct one (district staff)."""
    item = NewsItem.objects.get_for(request.user, "view", pk) if pk else None
    initial = {"published_on": timezone.localdate()}
    if item is not None:
        initial = {name: getattr(item, name) for name in NEWS_FIELDS}
        initial.update({name: list(getattr(item, name).all()) for name in NEWS_LINKS})
        initial["seen"] = item.revision
    form = NewsForm(request.POST or None, initial=initial)

    def save(data, seen=None):
        return services.save_news(request.user, item, data, seen=seen)

    if saved := submitted(request, form, save, gettext("The news report was saved."), seen="seen"):
        return redirect(saved)
    return render(request, "news/news_form.html", {"form": form, "item": item})


def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        NewsItem.objects.restrict(request.user, "view").prefetch_related(
            Prefetch("events", queryset=Event.objects.restrict(request.user, "view")),
            Prefetch("policies", queryset=PolicyDocument.objects.restrict(request.user, "view")),
            "batches",
            Prefetch(
                "bases", queryset=TrainingBase.objects.listed().select_related("organisation")
            ),
        ),
        pk=pk,
    )
    return render(
        request, "news/news_detail.html", {"item": item, "admin": is_district_admin(request.user)}
    )
