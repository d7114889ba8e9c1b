"""Fixed-point arithmetic shared by the single-enterprise and the batch evaluator.

Every number in the rule language is an integer count of a unit fixed by its type: whole
numbers for ``int``, fen (0.01 yuan) for ``money``, ten-thousandths for ``decimal``. The two
evaluators must agree to the fen, so both use exactly the operations below, written once for
Python ints and once for numpy int64 arrays. Rounding is half away from zero, the way amounts
are rounded by hand.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np

from zhibiao.rules.words import PhrasedValueError, gettext_noop

SCALE: dict[str, int] = {"int": 1, "money": 100, "decimal": 10_000}
PLACES: dict[str, int] = {"int": 0, "money": 2, "decimal": 4}
NUMERIC = frozenset(SCALE)

#: Raw fixed-point magnitudes beyond this are refused, so that int64 (batch) and Python's
#: unbounded ints (single) can never disagree by wrapping around. 2**61 fen is about
#: 2.3e16 yuan: far beyond any district budget.
RAW_LIMIT = 2**61


class RuleRuntimeError(ArithmeticError):
    """A value left the documented range during evaluation."""


def numeric_result(left: str, right: str) -> str:
    """The type of a sum or difference: money wins, then decimal, then int."""
    if "money" in (left, right):
        return "money"
    if "decimal" in (left, right):
        return "decimal"
    return "int"


# ---------------------------------------------------------------------------------------------
# Python ints


def round_div(n: int, d: int) -> int:
    """n / d rounded half away from zero; d must be positive."""
    q = (abs(n) * 2 + d) // (2 * d)
    return q if n >= 0 else -q


def convert(value: int, source: str, target: str) -> int:
    s, t = SCALE[source], SCALE[target]
    if t >= s:
        return value * (t // s)
    return round_div(value, s // t)


def check_range(value: int) -> int:
    if value > RAW_LIMIT or value < -RAW_LIMIT:
        raise RuleRuntimeError("a value is out of the range the rule language supports")
    return value


def mul(a: int, b: int, factor_num: int, factor_den: int) -> int:
    """a*b rescaled by factor_num/factor_den (exactly one of them is 1)."""
    p = check_range(a * b)
    if factor_den == 1:
        return check_range(p * factor_num)
    return round_div(p, factor_den)


def div(a: int, b: int, k_num: int, k_den: int) -> int:
    """(a*k_num) / (b*k_den) rounded; division by zero gives 0 (documented)."""
    if b == 0:
        return 0
    n = check_range(a * k_num)
    d = check_range(b * k_den)
    if d < 0:
        n, d = -n, -d
    return round_div(n, d)


# ---------------------------------------------------------------------------------------------
# numpy int64 arrays (or numpy scalars)


def np_round_div(n: Any, d: Any) -> Any:
    n = np.asarray(n, dtype=np.int64)
    q = (np.abs(n) * 2 + d) // (2 * d)
    return np.where(n >= 0, q, -q)


def np_convert(value: Any, source: str, target: str) -> Any:
    s, t = SCALE[source], SCALE[target]
    if t >= s:
        return np.asarray(value, dtype=np.int64) * (t // s)
    return np_round_div(value, s // t)


def np_check_range(a: Any, b: Any, factor: int = 1) -> None:
    """Refuse a product whose magnitude would leave the range, before int64 wraps."""
    est = np.abs(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)) * factor
    if est.size and float(np.max(est)) > RAW_LIMIT:
        raise RuleRuntimeError("a value is out of the range the rule language supports")


def np_mul(a: Any, b: Any, factor_num: int, factor_den: int) -> Any:
    np_check_range(a, b, factor_num)
    p = np.asarray(a, dtype=np.int64) * np.asarray(b, dtype=np.int64)
    if factor_den == 1:
        return p * factor_num
    return np_round_div(p, factor_den)


def np_div(a: Any, b: Any, k_num: int, k_den: int) -> Any:
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    np_check_range(a, 1, k_num)
    np_check_range(b, 1, k_den)
    n = a * k_num
    d = b * k_den
    zero = d == 0
    n = np.where(d < 0, -n, n)
    d = np.where(zero, 1, np.abs(d))
    return np.where(zero, 0, np_round_div(n, d))


# ---------------------------------------------------------------------------------------------
# conversions at the API surface


_WHOLE = gettext_noop("expected a whole number, got %(type)s")


def to_raw(value: Any, type_: str) -> int:
    """A Python number (int, Decimal, str, float) as a fixed-point int of ``type_``.

    Refuses more decimal places than the type holds instead of rounding quietly, and refuses
    booleans (True is an int in Python, never a number in the rules).
    """
    if isinstance(value, bool):
        raise PhrasedValueError(
            gettext_noop("expected a number for %(type)s, got a true/false value"), type=type_
        )
    if type_ == "int":
        if isinstance(value, int):
            return check_range(value)
        if isinstance(value, Decimal):
            d = _as_decimal(value)
            if d != d.to_integral_value():
                raise PhrasedValueError(_WHOLE, type=repr(value))
            return check_range(int(d))
        raise PhrasedValueError(_WHOLE, type=type(value).__name__)
    if not isinstance(value, int | Decimal | float | str):
        raise PhrasedValueError(
            gettext_noop("expected a number, got %(type)s"), type=type(value).__name__
        )
    d = _as_decimal(value)
    places = PLACES[type_]
    scaled = d.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise PhrasedValueError(
            gettext_noop("%(code)s has more than %(count)s decimal places"),
            code=repr(value),
            count=places,
        )
    return check_range(int(scaled))


def _as_decimal(value: Any) -> Decimal:
    try:
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise PhrasedValueError(
            gettext_noop("%(code)s is not a number"), code=repr(value)
        ) from None
    if not d.is_finite():
        raise PhrasedValueError(gettext_noop("%(code)s is not a finite number"), code=repr(value))
    return d


def from_raw(raw: int, type_: str) -> int | Decimal:
    """The API value of a fixed-point int: int for ``int``, Decimal for money and decimal."""
    raw = int(raw)
    if type_ == "int":
        return raw
    places = PLACES[type_]
    return Decimal(raw).scaleb(-places).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def money(raw_fen: int) -> Decimal:
    return from_raw(raw_fen, "money")  # type: ignore[return-value]
