"""A population of enterprises, stored by column for batch evaluation.

Scalar facts are numpy arrays of length n. A list fact is CSR-like: ``offsets`` (n + 1) say
where each enterprise's records start in the field columns, so enterprise i owns records
``offsets[i]:offsets[i+1]``. A set fact is the same with a single ``value`` column. Texts are
interned once into integer codes shared by all columns, so that the project key of a standard
and of an award for that standard compare equal.

Internal forms: money in fen (int64), decimal in ten-thousandths (int64), dates in days since
1970-01-01 (int64), texts as codes (int64), bool as bool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zhibiao.rules import fixed
from zhibiao.rules.errors import FactError
from zhibiao.rules.schema import FactDef, FactSchema, FieldDef, date_to_days, days_to_date

#: Marks "no date on record": replaced by the evaluation date where the schema says so.
NO_DATE = np.int64(np.iinfo(np.int64).min)


class StringTable:
    """Texts ↔ integer codes, shared by every text column of a population."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.strings: list[str] = []

    def code(self, s: str) -> int:
        c = self.codes.get(s)
        if c is None:
            c = len(self.strings)
            self.codes[s] = c
            self.strings.append(s)
        return c

    def encode(self, values: np.ndarray) -> np.ndarray:
        """Codes of an array of texts (None counts as "", not known).

        A dict lookup per value: three times faster than np.unique on text arrays, and
        the columns have few distinct values.
        """
        codes, strings = self.codes, self.strings

        def lookup(v: Any) -> int:
            if v is None:
                v = ""
            elif not isinstance(v, str):
                v = str(v)
            c = codes.get(v)
            if c is None:
                c = len(strings)
                codes[v] = c
                strings.append(v)
            return c

        return np.fromiter(map(lookup, values.tolist()), dtype=np.int64, count=values.size)

    def decode(self, code: int) -> str:
        return self.strings[int(code)]

    def __len__(self) -> int:
        return len(self.strings)


@dataclass
class RecordList:
    """The records of one list fact for all enterprises: offsets plus one array per field."""

    offsets: np.ndarray
    columns: dict[str, np.ndarray]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def total(self) -> int:
        return int(self.offsets[-1])


class Population:
    """Facts of many enterprises, by column, ready for :func:`evaluate_population`.

    ``scalars`` maps fact names to arrays: bool; int; money as **integer fen**; decimal as
    integer ten-thousandths; str as arrays of texts (codes or Chinese labels); date as
    ``datetime64[D]`` (NaT: no record) or ``datetime.date`` objects. ``lists`` maps list facts
    to :class:`RecordList` (fields in the same forms) and set facts to a RecordList with a
    ``value`` column. Facts left out take their schema default.
    """

    def __init__(
        self,
        schema: FactSchema,
        scalars: Mapping[str, Any] | None = None,
        lists: Mapping[str, RecordList] | None = None,
        *,
        size: int | None = None,
        ids: Sequence[Any] | np.ndarray | None = None,
    ):
        self.schema = schema
        self.strings = StringTable()
        scalars = dict(scalars or {})
        lists = dict(lists or {})
        unknown = [k for k in (*scalars, *lists) if k not in schema]
        if unknown:
            raise FactError("", f"unknown fact(s): {', '.join(unknown)}")
        if size is None:
            if scalars:
                size = len(next(iter(scalars.values())))
            elif lists:
                size = len(next(iter(lists.values())).offsets) - 1
            elif ids is not None:
                size = len(ids)
            else:
                raise ValueError("cannot tell the population size: pass size=")
        self.size = int(size)
        self.ids = None if ids is None else np.asarray(ids)
        self.scalars: dict[str, np.ndarray] = {}
        self.lists: dict[str, RecordList] = {}
        for fact in schema:
            if fact.type in ("list", "set"):
                raw = lists.get(fact.name)
                if raw is None and fact.name in scalars:
                    raise FactError(fact.name, "list and set facts go in 'lists'")
                self.lists[fact.name] = self._list(fact, raw)
            else:
                if fact.name in lists:
                    raise FactError(fact.name, "scalar facts go in 'scalars'")
                self.scalars[fact.name] = self._column(
                    fact, scalars.get(fact.name), self.size, fact.name
                )

    def __len__(self) -> int:
        return self.size

    # -- conversion into internal columns ---------------------------------------------------

    def _column(
        self, definition: FactDef | FieldDef, values: Any, size: int, path: str
    ) -> np.ndarray:
        t = definition.type
        if values is None:
            default = self.schema.default_of(definition, None)
            if t == "date":
                fill = NO_DATE if default is None else np.int64(default)
                return np.full(size, fill, dtype=np.int64)
            if t == "str":
                return np.full(size, self.strings.code(default), dtype=np.int64)
            dtype = bool if t == "bool" else np.int64
            return np.full(size, default, dtype=dtype)
        arr = np.asarray(values)
        if arr.shape != (size,):
            raise FactError(path, f"expected {size} values, got shape {arr.shape}")
        if t == "bool":
            if arr.dtype != bool:
                raise FactError(path, "expected a bool array")
            return arr.astype(bool)
        if t in fixed.SCALE:
            if not np.issubdtype(arr.dtype, np.integer):
                unit = {"money": "fen", "decimal": "ten-thousandths", "int": "units"}[t]
                raise FactError(path, f"expected an integer array (in {unit})")
            return arr.astype(np.int64)
        if t == "date":
            if np.issubdtype(arr.dtype, np.datetime64):
                d = arr.astype("datetime64[D]")
                days = d.astype(np.int64)
                return np.where(np.isnat(d), NO_DATE, days)
            if arr.dtype == object:
                return np.array(
                    [NO_DATE if v is None else date_to_days(_as_date(v, path)) for v in arr],
                    dtype=np.int64,
                )
            if np.issubdtype(arr.dtype, np.integer):
                return arr.astype(np.int64)
            raise FactError(path, "expected datetime64[D] values or dates")
        if t == "str":
            codes = self.strings.encode(arr)
            if definition.values is not None:
                codes = self._check_enum(definition, codes, path)
            return codes
        raise FactError(path, f"unsupported type {t}")  # pragma: no cover

    def _check_enum(self, definition, codes: np.ndarray, path: str) -> np.ndarray:
        uniq = np.unique(codes)
        remap = {}
        for c in uniq:
            text = self.strings.decode(c)
            if text == "":
                continue
            code = self.schema.enum_code(definition, text)
            if code is None:
                shown = ", ".join(definition.values)
                raise FactError(path, f"'{text}' is not one of: {shown}")
            if code != text:
                remap[int(c)] = self.strings.code(code)
        if remap:
            lut = np.arange(len(self.strings), dtype=np.int64)
            for k, v in remap.items():
                lut[k] = v
            codes = lut[codes]
        return codes

    def _list(self, fact: FactDef, raw: RecordList | None) -> RecordList:
        if raw is None:
            offsets = np.zeros(self.size + 1, dtype=np.int64)
            if fact.type == "set":
                return RecordList(offsets, {"value": np.zeros(0, dtype=np.int64)})
            return RecordList(
                offsets,
                {f: self._column(fd, None, 0, f) for f, fd in fact.fields.items()},
            )
        offsets = np.asarray(raw.offsets, dtype=np.int64)
        if offsets.shape != (self.size + 1,) or offsets[0] != 0 or np.any(np.diff(offsets) < 0):
            raise FactError(fact.name, "offsets must have n + 1 non-decreasing values from 0")
        m = int(offsets[-1])
        if fact.type == "set":
            values = raw.columns.get("value")
            if values is None:
                raise FactError(fact.name, "a set fact needs a 'value' column")
            codes = self.strings.encode(np.asarray(values))
            if fact.values is not None:
                codes = self._check_enum(fact, codes, f"{fact.name}.value")
            return RecordList(offsets, {"value": codes})
        unknown = set(raw.columns) - set(fact.fields)
        if unknown:
            raise FactError(fact.name, f"unknown field(s): {', '.join(sorted(unknown))}")
        cols = {
            f: self._column(fd, raw.columns.get(f), m, f"{fact.name}.{f}")
            for f, fd in fact.fields.items()
        }
        return RecordList(offsets, cols)

    # -- building from records -------------------------------------------------------------

    @classmethod
    def from_records(
        cls,
        records: Sequence[Mapping[str, Any]],
        schema: FactSchema,
        *,
        ids: Sequence[Any] | None = None,
    ) -> Population:
        """From one fact dict per enterprise, in the API form ``explain`` takes."""
        n = len(records)
        for i, rec in enumerate(records):
            for k in rec:
                if k not in schema:
                    raise FactError(f"[{i}]", f"unknown fact '{k}'")
        scalars: dict[str, Any] = {}
        lists: dict[str, RecordList] = {}
        for fact in schema:
            name = fact.name
            if fact.type == "list":
                lengths = np.zeros(n, dtype=np.int64)
                cols: dict[str, list[Any]] = {f: [] for f in fact.fields}
                for i, rec in enumerate(records):
                    items = rec.get(name) or ()
                    lengths[i] = len(items)
                    for j, item in enumerate(items):
                        extra = set(item) - set(fact.fields)
                        if extra:
                            raise FactError(
                                f"[{i}].{name}[{j}]", f"unknown field(s) {', '.join(sorted(extra))}"
                            )
                        for f in fact.fields:
                            cols[f].append(item.get(f))
                offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
                lists[name] = RecordList(
                    offsets,
                    {
                        f: _api_column(schema, fd, cols[f], f"{name}.{f}")
                        for f, fd in fact.fields.items()
                    },
                )
            elif fact.type == "set":
                lengths = np.zeros(n, dtype=np.int64)
                values: list[str] = []
                for i, rec in enumerate(records):
                    items = sorted(set(rec.get(name) or ()))
                    lengths[i] = len(items)
                    values.extend(items)
                offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
                lists[name] = RecordList(offsets, {"value": np.array(values, dtype=object)})
            else:
                if not any(name in rec for rec in records):
                    continue
                scalars[name] = _api_column(schema, fact, [rec.get(name) for rec in records], name)
        return cls(schema, scalars, lists, size=n, ids=ids)

    # -- back to records (for checks and for explaining one row of a batch) ----------------

    def facts_of(self, i: int) -> dict[str, Any]:
        """The API-form facts of enterprise ``i`` (what ``explain`` takes)."""
        out: dict[str, Any] = {}
        for fact in self.schema:
            if fact.type in ("list", "set"):
                rl = self.lists[fact.name]
                a, b = int(rl.offsets[i]), int(rl.offsets[i + 1])
                if fact.type == "set":
                    out[fact.name] = [self.strings.decode(c) for c in rl.columns["value"][a:b]]
                else:
                    out[fact.name] = [
                        {f: _to_api(self, fd, rl.columns[f][k]) for f, fd in fact.fields.items()}
                        for k in range(a, b)
                    ]
            else:
                out[fact.name] = _to_api(self, fact, self.scalars[fact.name][i])
        return out


def _as_date(v: Any, path: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        return dt.date.fromisoformat(v)
    raise FactError(path, f"expected a date, got {type(v).__name__}")


def _api_column(
    schema: FactSchema, definition: FactDef | FieldDef, values: list[Any], path: str
) -> np.ndarray:
    """Values in API form (None: no record) → an array in the form Population takes."""
    t = definition.type
    default = schema.default_of(definition, None)
    if t in ("bool", "str"):
        # Kept as they are (a missing one as the default) once their kind is checked.
        kind: type = bool if t == "bool" else str
        out = np.empty(len(values), dtype=bool if t == "bool" else object)
        for i, v in enumerate(values):
            if v is None:
                v = default
            if not isinstance(v, kind):
                got = repr(v) if t == "bool" else type(v).__name__
                expected = "true or false" if t == "bool" else "text"
                raise FactError(f"{path}[{i}]", f"expected {expected}, got {got}")
            out[i] = v
        return out
    if t in fixed.SCALE:
        fast = all(type(v) is int for v in values)
        if fast:
            return np.array(values, dtype=np.int64) * fixed.SCALE[t]
        out = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            try:
                out[i] = default if v is None else fixed.to_raw(v, t)
            except ValueError as exc:
                raise FactError(f"{path}[{i}]", str(exc)) from None
        return out
    if t == "date":
        return np.array(
            [
                (NO_DATE if default is None else default)
                if v is None
                else date_to_days(_as_date(v, f"{path}[{i}]"))
                for i, v in enumerate(values)
            ],
            dtype=np.int64,
        )
    raise FactError(path, f"unsupported type {t}")  # pragma: no cover


def _to_api(pop: Population, definition: FactDef | FieldDef, raw: Any) -> Any:
    t = definition.type
    if t == "bool":
        return bool(raw)
    if t in fixed.SCALE:
        return fixed.from_raw(int(raw), t)
    if t == "date":
        return None if raw == NO_DATE else days_to_date(int(raw))
    if t == "str":
        return pop.strings.decode(raw)
    return raw  # pragma: no cover


def iter_rows(pop: Population, rows: Iterable[int]) -> Iterable[dict[str, Any]]:
    for i in rows:
        yield pop.facts_of(i)
