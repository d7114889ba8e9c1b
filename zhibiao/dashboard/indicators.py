"""The indicators of indicators.yaml, and the figures behind them.

Every count or sum indicator is read in one grouped query into a small cube, cells of
(year, month, town, industry division); any scope (a year, a town, an industry), a monthly
trend or a breakdown by town or industry is then a sum over cells, without another query.
The cube is kept in the shared cache (Redis, or a file cache on one machine) for every app
server alike, marked with the records' generation (zhibiao.core.generations): a change through
the services outdates it at once, and it is at most DASHBOARD_CACHE_SECONDS old otherwise. An
outdated cube is rebuilt in the background by one server while it still answers, so a page
never waits for it after the first time; see `cube` for the promise.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Min, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from zhibiao.core import generations
from zhibiao.core.focuses import Focus
from zhibiao.dashboard.scope import Scope

log = logging.getLogger(__name__)
DEFINITIONS = Path(__file__).resolve().parent / "indicators.yaml"
_KEYS = {
    "code", "focus", "name", "definition", "unit", "model", "filter", "queryset", "date",
    "year_field", "organisation", "aggregate", "ratio", "function", "list", "yearless",
}  # fmt: skip

_TEXT_KEYS = ("code", "focus", "name", "definition", "unit")

Cell = tuple[int, int, str, str]  # year (0: unknown), month (0: unknown), town, division


@dataclass(frozen=True)
class Indicator:
    code: str
    focus: str
    name: dict
    definition: dict
    unit: dict
    spec: dict = field(repr=False)

    def _text(self, texts: dict) -> str:
        return texts.get("en" if (get_language() or "").startswith("en") else "zh", "")

    @property
    def label(self) -> str:
        return self._text(self.name)

    @property
    def meaning(self) -> str:
        return self._text(self.definition)

    @property
    def unit_label(self) -> str:
        return self._text(self.unit)

    @property
    def kind(self) -> str:
        if "function" in self.spec:
            return "function"
        if "ratio" in self.spec:
            return "ratio"
        return "cube"

    @property
    def has_places(self) -> bool:
        """Whether the figure can be split by town and industry (a breakdown chart)."""
        return self.kind == "cube" and "organisation" in self.spec

    @property
    def filterable(self) -> bool:
        """Whether a town or industry filter applies to the figure at all."""
        return self.has_places or self.kind == "ratio" or self.code == "days_to_payment"

    @property
    def dated(self) -> bool:
        """Whether the year filter applies. A figure of a state (clauses in force, who is
        entitled in the latest screening) is as of the day whatever the year chosen."""
        if self.kind == "cube":
            return "date" in self.spec or "year_field" in self.spec
        if self.kind == "ratio":
            table = by_code()
            return all(table[self.spec["ratio"][k]].dated for k in ("of", "to"))
        return not self.spec.get("yearless")

    @property
    def has_months(self) -> bool:
        return self.kind == "cube" and "date" in self.spec

    def link(self, scope: Scope) -> str:
        """The list page behind the figure, filtered like the figure where the page can be."""
        target = self.spec.get("list") or {}
        try:
            url = reverse(target["url"])
        except (KeyError, NoReverseMatch):
            return ""
        params = {k: str(v) for k, v in (target.get("params") or {}).items()}
        accepted = target.get("filters") or []
        if "year" in accepted and scope.year:
            params["year"] = str(scope.year)
        if "town" in accepted and scope.town:
            params["town"] = scope.town
        if "industry" in accepted and scope.industry:
            params["industry"] = scope.industry
        from urllib.parse import urlencode

        return f"{url}?{urlencode(params)}" if params else url


class DefinitionError(ValueError):
    pass


@cache
def indicators() -> tuple[Indicator, ...]:
    """The indicators, checked when loaded: a wrong definition stops the start, not a page."""
    data = yaml.safe_load(DEFINITIONS.read_text(encoding="utf-8"))
    out = []
    seen = set()
    for raw in data:
        unknown = set(raw) - _KEYS
        code = raw.get("code", "?")
        if unknown:
            raise DefinitionError(f"{code}: unknown keys {sorted(unknown)}")
        if code in seen:
            raise DefinitionError(f"{code}: defined twice")
        seen.add(code)
        if raw.get("focus") not in Focus.values:
            raise DefinitionError(f"{code}: focus must be one of {Focus.values}")
        if not ({"model", "queryset", "ratio", "function"} & set(raw)):
            raise DefinitionError(f"{code}: say what is counted (model, queryset, ratio, function)")
        if "model" in raw:
            try:
                apps.get_model(raw["model"])
            except (LookupError, ValueError) as error:
                raise DefinitionError(f"{code}: no model {raw['model']!r} ({error})") from None
        spec = {k: v for k, v in raw.items() if k not in _TEXT_KEYS}
        out.append(Indicator(code, raw["focus"], raw["name"], raw["definition"], raw["unit"], spec))
    codes = {i.code for i in out}
    for indicator in out:
        ratio = indicator.spec.get("ratio")
        if ratio and not {ratio["of"], ratio["to"]} <= codes:
            raise DefinitionError(f"{indicator.code}: ratio of unknown indicators")
    return tuple(out)


def by_code() -> dict[str, Indicator]:
    return {indicator.code: indicator for indicator in indicators()}


# --- The cube --------------------------------------------------------------------------------


def _records(indicator: Indicator, scope: Scope) -> QuerySet:
    spec = indicator.spec
    if "queryset" in spec:
        records = import_string(spec["queryset"])(scope)
    else:
        records = apps.get_model(spec["model"]).objects.all()
    if spec.get("filter"):
        records = records.filter(**spec["filter"])
    if "date" in spec:
        records = records.filter(**{f"{spec['date']}__lte": scope.moment})
    return records


def _aggregates(spec: dict) -> dict[str, Any]:
    aggregate = spec.get("aggregate", "count")
    if aggregate == "count":
        return {"n": Count("pk"), "s": Value(0)}
    if "count_distinct" in aggregate:
        return {"n": Count(aggregate["count_distinct"], distinct=True), "s": Value(0)}
    if "sum" in aggregate:
        return {"n": Count("pk"), "s": Sum(aggregate["sum"])}
    if "avg" in aggregate:
        return {"n": Count(aggregate["avg"]), "s": Sum(aggregate["avg"])}
    raise DefinitionError(f"unknown aggregate {aggregate}")


def _town(organisation: str) -> Coalesce:
    """The town of a record's organisation, "" where none is known: a cell's and a group's."""
    return Coalesce(F(f"{organisation}__town"), Value(""))


def _industry(organisation: str, digits: int) -> Coalesce:
    """The first `digits` characters of the organisation's industry code (1: the section
    letter, 3: the division), "" where none is known."""
    return Coalesce(Substr(f"{organisation}__industry", 1, digits), Value(""))


def _cells(indicator: Indicator, scope: Scope) -> dict[Cell, tuple[Decimal, Decimal]]:
    spec = indicator.spec
    records = _records(indicator, scope)
    dims: dict[str, Any] = {}
    if "date" in spec:
        dims["ym"] = _month_of(records, spec["date"])
    elif "year_field" in spec:
        dims["ym"] = F(spec["year_field"]) * 100
    else:
        dims["ym"] = Value(0)
    organisation = spec.get("organisation")
    if organisation:
        dims["t"], dims["d"] = _town(organisation), _industry(organisation, 3)
    else:
        dims["t"] = Value("")
        dims["d"] = Value("")
    rows = records.annotate(**dims).values("ym", "t", "d").annotate(**_aggregates(spec))
    out = {}
    for row in rows.order_by():
        year, month = divmod(int(row["ym"] or 0), 100)
        key = (year, month, row["t"] or "", row["d"] or "")
        out[key] = (Decimal(row["n"] or 0), Decimal(str(row["s"] or 0)))
    return out


def _month_of(records: QuerySet, field: str) -> Case | Value:
    """year * 100 + month of `field` in local time, as a CASE over the months' bounds.

    Extracting the month of a datetime with the time zone applied is a Python function per row
    on SQLite (seconds for 200,000 rows); comparing with the local months' first instants is
    native on every database, and right across the time zone by construction.
    """
    bounds = records.aggregate(first=Min(field), last=Max(field))
    first, last = bounds["first"], bounds["last"]
    if first is None:
        return Value(0)
    is_datetime = isinstance(first, datetime.datetime)
    if is_datetime:
        first, last = timezone.localtime(first), timezone.localtime(last)
    year, month = first.year, first.month
    whens = []
    while (year, month) <= (last.year, last.month):
        after = (year + month // 12, month % 12 + 1)
        bound = datetime.date(*after, 1)
        if is_datetime:
            bound = timezone.make_aware(datetime.datetime.combine(bound, datetime.time.min))
        whens.append(When(**{f"{field}__lt": bound}, then=Value(year * 100 + month)))
        year, month = after
    return Case(*whens, default=Value(0), output_field=IntegerField())


@dataclass
class Cube:
    """Every cube indicator's cells, and the day they stand for."""

    day: Any
    built_at: float
    cells: dict[str, dict[Cell, tuple[Decimal, Decimal]]]
    specials: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)


def build(day=None) -> Cube:
    scope = Scope(day=day)
    started = time.perf_counter()
    cells = {i.code: _cells(i, scope) for i in indicators() if i.kind == "cube"}
    log.debug("dashboard cube built in %.2f s", time.perf_counter() - started)
    return Cube(scope.day, time.time(), cells)


@dataclass
class _Stored:
    """A cube as the shared cache holds it: with the records' generation it was built at."""

    generation: int
    cube: Cube


CUBE_KEY = "dashboard:cube"
REBUILD_KEY = "dashboard:cube:rebuilding"
#: This process's copy of the shared cube, used only while the shared generation still matches.
_local: _Stored | None = None


def _age(stored: _Stored) -> float:
    return time.time() - stored.cube.built_at


def cube(day=None) -> Cube:
    """The cube for today (shared by every app server, refreshed in the background) or for a
    past day (built).

    The promise: a record saved through the services (their audit entry changes the records'
    generation) shows on the first page after the rebuild it starts, seconds later; any other
    change (a bulk update, the shell) within DASHBOARD_CACHE_SECONDS and a rebuild. Meanwhile
    the previous figures answer, on every server the same, and one server rebuilds, not all.
    """
    global _local
    scope = Scope(day=day)
    ttl = settings.DASHBOARD_CACHE_SECONDS
    if ttl <= 0 or scope.day != Scope().day:
        return build(scope.day)
    generation = generations.current()

    def fresh(stored: _Stored | None) -> bool:
        return (
            stored is not None
            and stored.generation == generation
            and stored.cube.day == scope.day
            and _age(stored) <= ttl
        )

    local = _local
    if local is not None and fresh(local):
        return local.cube
    shared = shared_cache.get(CUBE_KEY)
    if fresh(shared):
        _local = shared
        return shared.cube
    # Another day's figures, or figures left from long ago (an idle night): build now.
    if shared is None or shared.cube.day != scope.day or _age(shared) > 4 * ttl:
        return _build_and_share(scope.day).cube
    if shared_cache.add(REBUILD_KEY, True, timeout=max(60, 2 * ttl)):  # one server rebuilds
        threading.Thread(target=_refresh, daemon=True).start()
    if local is not None and local.cube.built_at == shared.cube.built_at:
        return local.cube  # the copy already held, with what it has worked out since
    _local = shared
    return shared.cube


def cube_is_current() -> bool:
    """Whether the figures this process answered with last are the records' as they are now:
    not while a change's rebuild is under way, when the previous figures answer (`cube`). A
    page showing them is then not kept (zhibiao.core.pagecache), or it would hide the rebuilt
    figures behind the generation that had already moved."""
    ttl = settings.DASHBOARD_CACHE_SECONDS
    if ttl <= 0:
        return True  # built from the records on every call
    local = _local
    return local is not None and local.generation == generations.current() and _age(local) <= ttl


def _build_and_share(day) -> _Stored:
    """Build the cube and store it for every server, with the generation read before building
    (a change committed meanwhile then outdates it at once)."""
    global _local
    generation = generations.current()
    stored = _Stored(generation, build(day))
    shared_cache.set(CUBE_KEY, stored, timeout=4 * max(settings.DASHBOARD_CACHE_SECONDS, 1) + 60)
    _local = stored
    return stored


def _refresh() -> None:
    try:
        shared = shared_cache.get(CUBE_KEY)
        if shared is None or shared.cube.day <= Scope().day:
            _build_and_share(Scope().day)  # never over the next day's cube built meanwhile
    except Exception:  # the old cube keeps answering; the next request tries again
        log.exception("dashboard cube refresh failed")
    finally:
        shared_cache.delete(REBUILD_KEY)
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # the thread's own connection, not the requests'.


def invalidate() -> None:
    """Forget the figures, here and on every server: the next page builds them."""
    global _local
    _local = None
    shared_cache.delete(CUBE_KEY)


# --- Figures from the cube -------------------------------------------------------------------


def _matches(cell: Cell, scope: Scope, year: int | None = None, month: int | None = None) -> bool:
    y, m, town, division = cell
    if (year or scope.year) and y != (year or scope.year):
        return False
    if month is not None and m != month:
        return False
    if scope.town and town != scope.town:
        return False
    return not (scope.industry and not division.startswith(scope.industry[:3]))


def _combine(indicator: Indicator, n: Decimal, s: Decimal) -> Decimal | None:
    aggregate = indicator.spec.get("aggregate", "count")
    if isinstance(aggregate, dict) and "sum" in aggregate:
        return s
    if isinstance(aggregate, dict) and "avg" in aggregate:
        return (s / n).quantize(Decimal("0.01")) if n else None
    return n


def _sum(cells, indicator: Indicator, test: Callable[[Cell], bool]) -> Decimal | None:
    n = s = Decimal(0)
    for cell, (count, total) in cells.items():
        if test(cell):
            n += count
            s += total
    return _combine(indicator, n, s)


def value(data: Cube, indicator: Indicator, scope: Scope) -> Decimal | None:
    if indicator.kind == "function":
        key = (indicator.code, scope.key())
        if key not in data.specials:
            data.specials[key] = import_string(indicator.spec["function"])(scope)
        return data.specials[key]
    if indicator.kind == "ratio":
        ratio = indicator.spec["ratio"]
        table = by_code()
        part = value(data, table[ratio["of"]], scope) or Decimal(0)
        whole = value(data, table[ratio["to"]], scope)
        return (100 * part / whole).quantize(Decimal("0.1")) if whole else None
    if not indicator.dated:
        scope = replace(scope, year=None)
    return _sum(data.cells[indicator.code], indicator, lambda cell: _matches(cell, scope))


def monthly(data: Cube, indicator: Indicator, scope: Scope, year: int) -> list[Decimal | None]:
    """The figure month by month in a year (only for indicators dated to the month)."""
    cells = data.cells.get(indicator.code, {})
    sums = [[Decimal(0), Decimal(0)] for _ in range(13)]
    for cell, (count, total) in cells.items():
        if cell[0] == year and _matches(cell, scope, year=year):
            sums[cell[1]][0] += count
            sums[cell[1]][1] += total
    return [_combine(indicator, n, s) for n, s in sums[1:]]


def enterprises(indicator: Indicator, scope: Scope, by: str) -> dict[str, int]:
    """How many distinct organisations stand behind each group of `breakdown`: counted from the
    records in one grouped query (an organisation can stand in many cells, so the cube's cells
    cannot add them up). A group of one or two is one or two enterprises' own figures."""
    spec = indicator.spec
    organisation = spec["organisation"]
    records = scope.narrow(_records(indicator, scope), organisation)
    if indicator.dated and scope.year:
        field_name = spec.get("date") or spec["year_field"]
        lookup = f"{field_name}__year" if "date" in spec else field_name
        records = records.filter(**{lookup: scope.year})
    key = _town(organisation) if by == "town" else _industry(organisation, 1)
    rows = records.annotate(k=key).values("k").annotate(n=Count(organisation, distinct=True))
    return {row["k"] or "": row["n"] for row in rows.order_by()}


def breakdown(data: Cube, indicator: Indicator, scope: Scope, by: str) -> dict[str, Decimal]:
    """The figure by town (`by="town"`) or by industry section (`by="section"`)."""
    cells = data.cells.get(indicator.code, {})
    if not indicator.dated:
        scope = replace(scope, year=None)
    groups: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for cell, (count, total) in cells.items():
        if not _matches(cell, scope):
            continue
        key = cell[2] if by == "town" else cell[3][:1]
        groups[key][0] += count
        groups[key][1] += total
    out = {}
    for key, (count, total) in groups.items():
        figure = _combine(indicator, count, total)
        if figure is not None:
            out[key] = figure
    return out
