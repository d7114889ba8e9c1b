"""The fact schema: the one place that says what rules may read about an enterprise.

Each fact has a type, a Chinese and an English description, the platform record it will be
filled from, and a default used when the platform has no record. ``rules/facts.yaml`` is the
document; this module loads it into a :class:`FactSchema` and converts fact values between
their API form (Decimal, date, str …) and the internal fixed-point form the evaluators use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhibiao.rules import fixed
from zhibiao.rules.errors import FactError, RuleValidationError, rule_error
from zhibiao.rules.words import Phrase, PhrasedValueError, gettext_noop
from zhibiao.rules.yamlnodes import join_path, locate, read_yaml

SCALAR_TYPES = ("bool", "int", "decimal", "money", "str", "date")
FACT_TYPES = (*SCALAR_TYPES, "set", "list")

EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

DEFAULT_SCHEMA_PATH = Path(__file__).parent / "facts.yaml"


def date_to_days(value: dt.date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def days_to_date(days: int) -> dt.date:
    return dt.date.fromordinal(int(days) + _EPOCH_ORDINAL)


@dataclass(frozen=True)
class FieldDef:
    """A field of the records in a list fact (a standard's level, a course's date …)."""

    name: str
    type: str
    zh: str
    en: str
    default: Any = None  # internal form
    values: Mapping[str, str] | None = None  # enumerated codes → Chinese labels
    source: str = ""
    attested_by: str = ""  # "" means as the list fact

    @property
    def enum(self) -> Mapping[str, str] | None:
        return self.values


@dataclass(frozen=True)
class FactDef:
    name: str
    type: str
    zh: str
    en: str
    source: str
    default: Any = None  # internal form; the string "as_of" for a date means the evaluation date
    values: Mapping[str, str] | None = None
    fields: Mapping[str, FieldDef] = field(default_factory=dict)
    note: str = ""
    attested_by: str = "district"  # one of ATTESTERS: whose word the value rests on

    def attester_of(self, field_name: str | None = None) -> str:
        """Who attests this fact, or one field of its records (a field may rest on another
        party's word than the records themselves, as a group standard's adoption does)."""
        if field_name is not None and field_name in self.fields:
            return self.fields[field_name].attested_by or self.attested_by
        return self.attested_by

    @property
    def enum(self) -> Mapping[str, str] | None:
        return self.values


def _default_for(type_: str) -> Any:
    return {
        "bool": False,
        "int": 0,
        "decimal": 0,
        "money": 0,
        "str": "",
        "set": frozenset(),
        "list": (),
    }.get(type_)


class FactSchema:
    """The facts rules may name, with their types, and value conversion for the evaluators."""

    def __init__(self, facts: Mapping[str, FactDef], *, title: str = ""):
        self.facts: dict[str, FactDef] = dict(facts)
        self.title = title
        # label → code for every enumeration, so "国家" in a rule or in data means "national".
        self._aliases: dict[int, dict[str, str]] = {}

    # -- lookup ---------------------------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self.facts

    def __getitem__(self, name: str) -> FactDef:
        return self.facts[name]

    def __iter__(self):
        return iter(self.facts.values())

    def names(self) -> list[str]:
        return list(self.facts)

    def get(self, name: str) -> FactDef | None:
        return self.facts.get(name)

    def enum_code(self, definition: FactDef | FieldDef, text: str) -> str | None:
        """The code that ``text`` (a code or its Chinese label) stands for, or None."""
        values = definition.values
        if values is None:
            return text
        if text in values:
            return text
        key = id(definition)
        aliases = self._aliases.get(key)
        if aliases is None:
            aliases = {label: code for code, label in values.items()}
            self._aliases[key] = aliases
        return aliases.get(text)

    # -- conversion -----------------------------------------------------------------------

    def to_internal(
        self, definition: FactDef | FieldDef, value: Any, path: str, as_of_days: int | None
    ) -> Any:
        """One value in its internal form, or FactError explaining what was expected."""
        t = definition.type
        if value is None:
            return self.default_of(definition, as_of_days)
        try:
            if t == "bool":
                if not isinstance(value, bool):
                    raise PhrasedValueError(
                        gettext_noop("expected true or false, got %(code)s"), code=repr(value)
                    )
                return value
            if t in fixed.SCALE:
                return fixed.to_raw(value, t)
            if t == "str":
                if not isinstance(value, str):
                    raise PhrasedValueError(
                        gettext_noop("expected text, got %(type)s"), type=type(value).__name__
                    )
                if value == "":
                    return ""  # "not known" is always allowed, even for enumerations
                code = self.enum_code(definition, value)
                if code is None:
                    raise _not_one_of(value, definition.values or {})
                return code
            if t == "date":
                if isinstance(value, dt.datetime):
                    value = value.date()
                elif isinstance(value, str):
                    value = dt.date.fromisoformat(value)
                if not isinstance(value, dt.date):
                    raise PhrasedValueError(
                        gettext_noop("expected a date, got %(type)s"), type=type(value).__name__
                    )
                return date_to_days(value)
            if t == "set":
                if isinstance(value, str) or not isinstance(value, Iterable):
                    raise PhrasedValueError(gettext_noop("expected a list of texts"))
                out = set()
                for item in value:
                    if not isinstance(item, str):
                        raise PhrasedValueError(
                            gettext_noop("expected texts, got %(type)s"), type=type(item).__name__
                        )
                    code = self.enum_code(definition, item)
                    if code is None:
                        raise _not_one_of(item, definition.values or {})
                    out.add(code)
                return frozenset(out)
        except PhrasedValueError as exc:
            raise FactError(path, exc.phrase) from None
        except ValueError as exc:  # dt.date.fromisoformat: its own words, in English
            raise FactError(
                path, Phrase(gettext_noop("not a date: %(problem)s"), {"problem": str(exc)})
            ) from None
        if t == "list":
            assert isinstance(definition, FactDef)
            if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
                raise FactError(path, Phrase(gettext_noop("expected a list of records")))
            records = []
            for i, record in enumerate(value):
                rpath = join_path(path, i)
                if not isinstance(record, Mapping):
                    raise FactError(
                        rpath,
                        Phrase(gettext_noop("expected a record (a mapping of field to value)")),
                    )
                unknown = set(record) - set(definition.fields)
                if unknown:
                    raise FactError(
                        rpath,
                        Phrase(
                            gettext_noop("unknown field(s) %(names)s; '%(list)s' has: %(fields)s"),
                            {
                                "names": ", ".join(sorted(map(str, unknown))),
                                "list": definition.name,
                                "fields": ", ".join(definition.fields),
                            },
                        ),
                    )
                records.append(
                    {
                        fname: self.to_internal(
                            fdef, record.get(fname), join_path(rpath, fname), as_of_days
                        )
                        for fname, fdef in definition.fields.items()
                    }
                )
            return records
        raise FactError(path, f"unsupported type {t}")  # pragma: no cover

    def default_of(self, definition: FactDef | FieldDef, as_of_days: int | None) -> Any:
        if definition.default == "as_of":
            return as_of_days
        if definition.default is None:
            return _default_for(definition.type) if definition.type != "list" else []
        if definition.type == "list":
            return []
        return definition.default

    def normalise(
        self, facts: Mapping[str, Any], as_of: dt.date, *, strict: bool = True
    ) -> tuple[dict[str, Any], list[str]]:
        """All facts of one enterprise in internal form, and which ones took their default.

        Unknown keys are refused when ``strict``: a misspelt key would otherwise silently fall
        back to a default and make the enterprise look ineligible.
        """
        if strict:
            unknown = [k for k in facts if k not in self.facts]
            if unknown:
                raise FactError(
                    "",
                    Phrase(
                        gettext_noop("unknown fact(s): %(names)s"),
                        {"names": ", ".join(map(str, unknown))},
                    ),
                )
        as_of_days = date_to_days(as_of)
        out: dict[str, Any] = {}
        defaulted: list[str] = []
        for name, definition in self.facts.items():
            if name in facts and facts[name] is not None:
                out[name] = self.to_internal(definition, facts[name], name, as_of_days)
            else:
                defaulted.append(name)
                out[name] = self.default_of(definition, as_of_days)
        return out, defaulted

    def to_api(self, type_: str, raw: Any) -> Any:
        """The API form of an internal value (for explanations)."""
        if type_ in fixed.SCALE:
            return fixed.from_raw(raw, type_)
        if type_ == "date":
            return days_to_date(raw)
        if type_ == "set":
            return sorted(raw)
        return raw

    # -- documentation --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The schema as plain data (what the Django side shows staff as the fact list)."""
        out: dict[str, Any] = {}
        for f in self.facts.values():
            entry: dict[str, Any] = {
                "type": f.type,
                "zh": f.zh,
                "en": f.en,
                "source": f.source,
                "attested_by": f.attested_by,
            }
            if f.values is not None:
                entry["values"] = dict(f.values)
            if f.fields:
                entry["fields"] = {
                    fd.name: {
                        "type": fd.type,
                        "zh": fd.zh,
                        "en": fd.en,
                        "attested_by": f.attester_of(fd.name),
                        **({"values": dict(fd.values)} if fd.values is not None else {}),
                    }
                    for fd in f.fields.values()
                }
            out[f.name] = entry
        return out


def _not_one_of(value: str, values: Mapping[str, str]) -> PhrasedValueError:
    shown = ", ".join(f"{code} ({label})" for code, label in values.items())
    return PhrasedValueError(
        gettext_noop("'%(code)s' is not one of: %(values)s"), code=value, values=shown
    )


# ---------------------------------------------------------------------------------------------
# loading facts.yaml

_FACT_KEYS = {"type", "zh", "en", "source", "default", "values", "fields", "note", "attested_by"}
_FIELD_KEYS = {"type", "zh", "en", "source", "default", "values", "attested_by"}

#: Who may attest a fact (facts.yaml `attested_by`): district records kept by staff, official
#: sources imported by staff, an independent third party (a department, a certification body),
#: an event's host, the enterprise itself.
ATTESTERS = ("district", "official", "third_party", "host", "enterprise")
#: The attesters independent of the enterprise paid: only facts resting on them may pay
#: without an application (免申即享). The host and the enterprise can make their facts up alone.
INDEPENDENT_ATTESTERS = frozenset({"district", "official", "third_party"})


def _attester(spec: dict, p: str, err, *, required: bool) -> str:
    raw = spec.get("attested_by")
    if raw is None and not required:
        return ""
    if raw not in ATTESTERS:
        err(
            join_path(p, "attested_by"),
            gettext_noop("attested_by must be one of %(values)s"),
            values=", ".join(ATTESTERS),
        )
        return ""
    return raw


def _declaration(name: str, spec: Any, p: str, what: str, keys: set[str], err) -> bool:
    """Whether a fact's or a field's declaration can be read: a proper name and a mapping.
    Keys it does not know are reported, but the rest of it is still read."""
    if not _NAME.match(name):
        err(p, what, name=name)
        return False
    if not isinstance(spec, dict):
        err(p, gettext_noop("expected a mapping"))
        return False
    for key in set(spec) - keys:
        err(join_path(p, key), gettext_noop("unknown key '%(name)s'"), name=key)
    return True


_FACT_NAMES = gettext_noop("fact names are lower_snake_case ASCII: '%(name)s'")
_FIELD_NAMES = gettext_noop("field names are lower_snake_case ASCII: '%(name)s'")
_REQUIRED_TEXT = gettext_noop("'%(name)s' is required (text)")


def load_schema(path: str | Path | None = None, *, text: str | None = None) -> FactSchema:
    """Load a fact schema (by default the platform's ``facts.yaml``); refuse it if malformed."""
    if text is None:
        text = Path(path or DEFAULT_SCHEMA_PATH).read_text(encoding="utf-8")
    data, marks, errors = read_yaml(text)
    if errors:
        raise RuleValidationError(errors)

    def err(p: str, message: str, **params: Any) -> None:
        line, col = locate(marks, p)
        errors.append(rule_error(p, line, col, message, "schema", **params))

    if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
        err("", gettext_noop("a fact schema is a mapping with a 'facts' mapping"))
        raise RuleValidationError(errors)
    facts: dict[str, FactDef] = {}
    for name, spec in data["facts"].items():
        p = join_path("facts", name)
        if not _declaration(name, spec, p, _FACT_NAMES, _FACT_KEYS, err):
            continue
        t = spec.get("type")
        if t not in FACT_TYPES:
            err(
                join_path(p, "type"),
                gettext_noop("type must be one of %(values)s"),
                values=", ".join(FACT_TYPES),
            )
            continue
        for key in ("zh", "en", "source"):
            if not isinstance(spec.get(key), str) or not spec[key].strip():
                err(join_path(p, key), _REQUIRED_TEXT, name=key)
        values = _values(spec.get("values"), join_path(p, "values"), t, err)
        fields: dict[str, FieldDef] = {}
        if t == "list":
            raw_fields = spec.get("fields")
            if not isinstance(raw_fields, dict) or not raw_fields:
                err(join_path(p, "fields"), gettext_noop("a list fact needs 'fields'"))
                raw_fields = {}
            for fname, fspec in raw_fields.items():
                fp = join_path(join_path(p, "fields"), fname)
                if not _declaration(fname, fspec, fp, _FIELD_NAMES, _FIELD_KEYS, err):
                    continue
                ft = fspec.get("type")
                if ft not in SCALAR_TYPES:
                    err(
                        join_path(fp, "type"),
                        gettext_noop("field type must be one of %(values)s"),
                        values=str(SCALAR_TYPES),
                    )
                    continue
                for key in ("zh", "en"):
                    if not isinstance(fspec.get(key), str):
                        err(join_path(fp, key), _REQUIRED_TEXT, name=key)
                fvalues = _values(fspec.get("values"), join_path(fp, "values"), ft, err)
                fdef = FieldDef(
                    fname,
                    ft,
                    str(fspec.get("zh", "")),
                    str(fspec.get("en", "")),
                    None,
                    fvalues,
                    str(fspec.get("source", "")),
                    _attester(fspec, fp, err, required=False),
                )
                default = _default(fspec, fdef, join_path(fp, "default"), err)
                fields[fname] = FieldDef(
                    fdef.name, ft, fdef.zh, fdef.en, default, fvalues, fdef.source, fdef.attested_by
                )
        elif "fields" in spec:
            err(join_path(p, "fields"), gettext_noop("only list facts have fields"))
        fdef0 = FactDef(
            name,
            t,
            str(spec.get("zh", "")),
            str(spec.get("en", "")),
            str(spec.get("source", "")),
            None,
            values,
            fields,
            str(spec.get("note", "")),
            _attester(spec, p, err, required=True),
        )
        default = _default(spec, fdef0, join_path(p, "default"), err)
        facts[name] = FactDef(
            name,
            t,
            fdef0.zh,
            fdef0.en,
            fdef0.source,
            default,
            values,
            fields,
            fdef0.note,
            fdef0.attested_by,
        )
    if errors:
        raise RuleValidationError(errors)
    return FactSchema(facts, title=str(data.get("title", "")))


def _values(raw: Any, p: str, t: str, err) -> dict[str, str] | None:
    if raw is None:
        return None
    if t not in ("str", "set"):
        err(p, gettext_noop("only text facts and sets can enumerate values"))
        return None
    if not isinstance(raw, dict) or not raw:
        err(p, gettext_noop("values: a mapping of code to Chinese label"))
        return None
    out = {str(k): str(v) for k, v in raw.items()}
    labels = list(out.values())
    if len(set(labels)) != len(labels) or set(labels) & set(out):
        err(p, gettext_noop("labels must be unique and differ from the codes"))
    return out


def _default(spec: dict, definition: FactDef | FieldDef, p: str, err) -> Any:
    if "default" not in spec:
        if definition.type == "date":
            err(
                p,
                gettext_noop("a date needs a default (a date, or 'as_of' for the evaluation date)"),
            )
        return None
    raw = spec["default"]
    if definition.type == "date" and raw == "as_of":
        return "as_of"
    if definition.type in ("list",):
        err(p, gettext_noop("list facts default to the empty list"))
        return None
    try:
        return FactSchema({}).to_internal(definition, raw, p, None)
    except FactError as exc:
        err(p, gettext_noop("bad default: %(problem)s"), problem=exc.phrase)
        return None
