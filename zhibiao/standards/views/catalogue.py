"""The catalogue of standards: search, export, a standard's page and the import of a list."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.pagination import query_without_page
from zhibiao.core.tabular import ImportFailed
from zhibiao.core.uploads import UploadError
from zhibiao.standards import services
from zhibiao.standards.forms import ImportForm, SearchForm
from zhibiao.standards.models import Replacement, Standard
from zhibiao.standards.search import search

PER_PAGE = 20
#: The catalogue's export reads the search a chunk at a time, in the page's order.
EXPORT_CHUNK = 1000


class _SearchPage:
    """A paginator over a search that already knows its total (it never counts twice)."""

    def __init__(self, results, number: int) -> None:
        self.object_list = results.standards
        self.number = number
        self.paginator = Paginator(range(results.total), PER_PAGE)
        self.paginator.count  # noqa: B018  evaluated once, here

    def __iter__(self):
        return iter(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 500))
    except ValueError:
        return 1


def standard_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"q": "", "level": "", "status": ""}
    if wants_xlsx(request):
        rows = _all_results(data["q"], level=data["level"] or None, status=data["status"] or None)
        title = gettext("Catalogue of standards")
        return export_list("standards.xlsx", STANDARD_COLUMNS, rows, title=title)
    number = _page_number(request)
    results = search(
        data["q"],
        level=data["level"] or None,
        status=data["status"] or None,
        offset=(number - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    context = {
        "form": form,
        "page": _SearchPage(results, number),
        "results": results,
        "query": query_without_page(request),
        "may_import": is_district_admin(request.user),
    }
    template = (
        "standards/_results.html" if request.headers.get("HX-Request") else "standards/list.html"
    )
    return render(request, template, context)


def _nature(standard: Standard) -> str:
    if standard.mandatory is None:
        return ""
    return gettext("Mandatory") if standard.mandatory else gettext("Recommended")


STANDARD_COLUMNS = [
    Column(_("Code"), lambda s: s.code),
    Column(_("Title"), lambda s: s.title),
    Column(_("Level"), lambda s: s.get_level_display()),
    Column(_("Nature"), _nature),
    Column(_("Status"), lambda s: s.get_status_display()),
    Column(_("Publication date"), lambda s: s.published_on),
    Column(_("Implementation date"), lambda s: s.effective_on),
    Column(_("Replaced by"), lambda s: s.replaced_by_codes),
]


def _all_results(q: str, *, level: str | None, status: str | None) -> Iterator[Standard]:
    """Every result of the page's search, in its order, read a chunk at a time; each with the
    codes that replace it (stated first, then inferred), one query a chunk."""
    offset = 0
    while True:
        results = search(q, level=level, status=status, offset=offset, limit=EXPORT_CHUNK)
        links = (
            Replacement.objects.filter(old__in=results.standards)
            .order_by("kind", "new__key")
            .values_list("old_id", "new__code")
        )
        successors: dict[int, list[str]] = {}
        for old_id, code in links:
            successors.setdefault(old_id, []).append(code)
        for standard in results.standards:
            standard.replaced_by_codes = ", ".join(successors.get(standard.pk, []))
            yield standard
        offset += EXPORT_CHUNK
        if not results.standards or offset >= results.total:
            return


def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = Standard.objects.get_for(request.user, "view", pk)
    context = {
        "standard": standard,
        "replaced_by": Replacement.objects.filter(old=standard).select_related("new"),
        "replaces": Replacement.objects.filter(new=standard).select_related("old"),
        "editions": Standard.objects.restrict(request.user, "view")
        .filter(base=standard.base)
        .exclude(pk=pk)
        .order_by("-year"),
    }
    return render(request, "standards/detail.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def standard_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_standards(request.user, upload, name=upload.name)
        except UploadError as error:
            form.add_error("file", str(error))
        except ImportFailed as failure:
            result = failure.result
        else:
            messages.success(
                request,
                gettext(
                    "Imported: %(created)s new, %(updated)s updated, %(unchanged)s "
                    "unchanged; %(links)s replacements stated, %(inferred)s inferred."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "links": result.links,
                    "inferred": result.inferred,
                },
            )
            return redirect("standards:list")
    return render(request, "standards/import.html", {"form": form, "result": result})
