"""A synthetic population of enterprises for tests and benchmarks.

Proportions are chosen to look like a district's register: most enterprises are small private
firms entitled to nothing; a few percent take part in drafting standards or hold a rewarded
certification; quality awards are rare; about one in five thousand is a training base. The
``richness`` factor multiplies the rare rates, so that tests comparing the batch and the
single evaluator see every path (caps, exclusivity, near misses) in a few thousand rows.

Generation is columnar (numpy) and seeded: the same (n, seed, richness, year) always gives
the same population.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from zhibiao.rules.demo import demo_schema
from zhibiao.rules.population import Population, RecordList
from zhibiao.rules.schema import FactSchema, date_to_days

TOWNS = [
    "nanqiao",
    "fengcheng",
    "zhuanghang",
    "jinhui",
    "situan",
    "qingcun",
    "zhelin",
    "haiwan",
    "xidu",
    "fengpu",
    "jinhai",
    "haigang",
]
INDUSTRIES = ["C2411", "C2927", "C3484", "C2710", "C2682", "F5137", "I6513", "M7320", "C1761"]
CATEGORIES = ["标准", "质量奖", "品牌与认证", "实训基地"]


def _choice(rng: np.random.Generator, values: list[Any], p: list[float], size: int) -> np.ndarray:
    p_arr = np.asarray(p, dtype=float)
    return np.asarray(values, dtype=object)[
        rng.choice(len(values), size=size, p=p_arr / p_arr.sum())
    ]


def _lengths(
    rng: np.random.Generator, n: int, p_has: float, mean_extra: float, cap: int
) -> np.ndarray:
    has = rng.random(n) < min(p_has, 0.95)
    extra = rng.geometric(1.0 / (1.0 + mean_extra), size=n) - 1
    return np.where(has, np.minimum(1 + extra, cap), 0).astype(np.int64)


def _years(rng: np.random.Generator, m: int, year: int) -> np.ndarray:
    # Most records are recent: this year, then the years before.
    return year - _choice(rng, [0, 1, 2, 3, 4], [0.4, 0.25, 0.15, 0.1, 0.1], m).astype(np.int64)


def generate_population(
    n: int,
    seed: int = 0,
    schema: FactSchema | None = None,
    *,
    richness: float = 1.0,
    year: int = 2023,
) -> Population:
    """n synthetic enterprises as a columnar Population (fast: no per-row Python)."""
    if schema is None:
        schema = demo_schema()
    rng = np.random.default_rng(seed)
    r = richness
    end = date_to_days(dt.date(year, 12, 1))
    age_days = np.minimum(rng.exponential(9 * 365.25, size=n), 38 * 365).astype(np.int64)
    scalars: dict[str, Any] = {
        "registered_in_district": rng.random(n) < 0.96,
        "registration_date": (end - age_days).astype("datetime64[D]"),
        "town": _choice(rng, TOWNS, [1] * len(TOWNS), n),
        "zone": _choice(rng, ["", "industrial", "beauty_valley"], [0.8, 0.12, 0.08], n),
        "ownership": _choice(
            rng,
            ["private", "state", "collective", "foreign", "hmt", "other"],
            [0.86, 0.03, 0.01, 0.06, 0.03, 0.01],
            n,
        ),
        "size": _choice(rng, ["micro", "small", "medium", "large"], [0.6, 0.3, 0.08, 0.02], n),
        "industry": _choice(rng, INDUSTRIES, [1] * len(INDUSTRIES), n),
        "credit_status": _choice(rng, ["good", "abnormal", "serious"], [0.95, 0.035, 0.015], n),
    }
    tax_yuan = np.round(rng.lognormal(np.log(200_000), 1.5, size=n)).astype(np.int64)
    scalars["tax_paid_district"] = np.where(rng.random(n) < 0.1, 0, tax_yuan) * 100

    # designations: a set per enterprise
    flags = {
        "high_tech": 0.06,
        "specialised": 0.03,
        "little_giant": 0.005,
        "contract_credit": 0.04,
    }
    held = np.stack([rng.random(n) < p for p in flags.values()], axis=1)
    counts = held.sum(axis=1)
    values = np.tile(np.array(list(flags), dtype=object), (n, 1))[held]
    lists: dict[str, RecordList] = {
        "designations": RecordList(_offsets(counts), {"value": values}),
    }

    # standards
    lengths = _lengths(rng, n, 0.04 * r, 0.8, 8)
    m = int(lengths.sum())
    level = _choice(
        rng,
        ["international", "national", "industry", "local", "group", "enterprise"],
        [0.02, 0.25, 0.25, 0.18, 0.2, 0.1],
        m,
    )
    s_year = _years(rng, m, year)
    prefix = {
        "international": "ISO ",
        "national": "GB/T ",
        "industry": "JB/T ",
        "local": "DB31/T ",
        "group": "T/SHQAP ",
        "enterprise": "Q/FX ",
    }
    serial = rng.integers(1000, 99999, size=m)
    codes = np.array(
        [f"{prefix[lv]}{s}-{y}" for lv, s, y in zip(level, serial, s_year, strict=True)],
        dtype=object,
    )
    grant = np.where(
        (level == "international") & (rng.random(m) < 0.7),
        rng.integers(100, 1000, size=m) * 1000,
        np.where(rng.random(m) < 0.08, rng.integers(20, 300, size=m) * 1000, 0),
    )
    lists["standards"] = RecordList(
        _offsets(lengths),
        {
            "code": codes,
            "level": level,
            "rank": np.minimum(rng.geometric(0.35, size=m), 12),
            "year": s_year,
            "city_funded": rng.random(m) < 0.1,
            "city_grant": grant.astype(np.int64) * 100,
            "self_declared": rng.random(m) < 0.6,
            "adopted_by_department": rng.random(m) < 0.3,
        },
    )
    std_start = lists["standards"].offsets

    # awards
    lengths = _lengths(rng, n, 0.006 * r, 0.3, 4)
    m = int(lengths.sum())
    a_rows = np.repeat(np.arange(n), lengths)
    name = _choice(
        rng,
        [
            "china_quality_award",
            "china_quality_nomination",
            "shanghai_mayor_quality_award",
            "shanghai_quality_gold_award",
            "china_standard_innovation_award",
            "district_quality_award",
        ],
        [0.05, 0.1, 0.15, 0.3, 0.3, 0.1],
        m,
    )
    grade = np.where(
        name == "china_standard_innovation_award",
        _choice(rng, [1, 2, 3], [0.2, 0.3, 0.5], m).astype(np.int64),
        0,
    )
    project = np.array([f"P{row}-{k}" for k, row in enumerate(a_rows)], dtype=object)
    # Some innovation awards are for a standard the enterprise drafted: exclusivity at work.
    std_len = np.diff(std_start)[a_rows] if m else np.zeros(0, dtype=np.int64)
    reuse = (name == "china_standard_innovation_award") & (std_len > 0) & (rng.random(m) < 0.5)
    for k in np.nonzero(reuse)[0]:
        project[k] = lists["standards"].columns["code"][std_start[a_rows[k]]]
    lists["awards"] = RecordList(
        _offsets(lengths),
        {
            "name": name,
            "recipient": _choice(rng, ["organisation", "person"], [0.7, 0.3], m),
            "grade": grade,
            "year": _years(rng, m, year),
            "project": project,
            "city_funded": rng.random(m) < 0.05,
        },
    )

    # certifications
    lengths = _lengths(rng, n, 0.06 * r, 0.5, 4)
    m = int(lengths.sum())
    c_rows = np.repeat(np.arange(n), lengths)
    kind = _choice(
        rng,
        ["shanghai_brand", "energy_ms", "infosec_ms", "measurement_ms", "cma", "quality_ms"],
        [0.05, 0.15, 0.15, 0.1, 0.05, 0.5],
        m,
    )
    lists["certifications"] = RecordList(
        _offsets(lengths),
        {
            "kind": kind,
            "number": np.array([f"C{row}-{k}" for k, row in enumerate(c_rows)], dtype=object),
            "year": _years(rng, m, year),
            "city_funded": rng.random(m) < 0.05,
        },
    )

    # training bases and their courses
    is_base = rng.random(n) < min(0.0005 * r, 0.5)
    scalars["training_base_status"] = np.where(
        is_base,
        _choice(rng, ["active", "suspended", "removed"], [0.85, 0.1, 0.05], n),
        "none",
    ).astype(object)
    scalars["training_base_batch"] = np.where(is_base, rng.integers(1, 3, size=n), 0)
    scalars["base_evaluation"] = np.where(
        is_base,
        _choice(rng, ["none", "excellent", "pass", "fail"], [0.3, 0.2, 0.45, 0.05], n),
        "none",
    ).astype(object)
    lengths = np.where(is_base, rng.integers(0, 15, size=n), 0).astype(np.int64)
    m = int(lengths.sum())
    start = date_to_days(dt.date(year - 1, 1, 1))
    held_on = start + rng.integers(0, 365 + 334, size=m)
    lists["courses"] = RecordList(
        _offsets(lengths),
        {
            "title": np.array([f"课程{k + 1}" for k in range(m)], dtype=object),
            "kind": _choice(rng, ["course", "site_visit", "practice"], [0.7, 0.2, 0.1], m),
            "held_on": held_on.astype("datetime64[D]"),
            "attendees": rng.integers(3, 60, size=m),
        },
    )

    # district awards already received (what the caps count)
    lengths = _lengths(rng, n, 0.01 * r, 3.0, 14)
    m = int(lengths.sum())
    r_rows = np.repeat(np.arange(n), lengths)
    r_project = np.array([f"R{row}-{k}" for k, row in enumerate(r_rows)], dtype=object)
    std_len = np.diff(std_start)[r_rows] if m else np.zeros(0, dtype=np.int64)
    reuse = (std_len > 0) & (rng.random(m) < 0.3)
    for k in np.nonzero(reuse)[0]:
        r_project[k] = lists["standards"].columns["code"][std_start[r_rows[k]]]
    lists["received_awards"] = RecordList(
        _offsets(lengths),
        {
            "clause": np.full(m, "", dtype=object),
            "category": _choice(rng, CATEGORIES, [0.4, 0.15, 0.35, 0.1], m),
            "year": np.where(rng.random(m) < 0.7, year, year - 1),
            "amount": _choice(
                rng, [20000, 50000, 100000, 300000, 500000], [0.2, 0.35, 0.3, 0.1, 0.05], m
            ).astype(np.int64)
            * 100,
            "project": r_project,
        },
    )
    return Population(schema, scalars, lists, size=n, ids=np.arange(n))


def _offsets(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


def generate_facts(
    n: int,
    seed: int = 0,
    schema: FactSchema | None = None,
    *,
    richness: float = 1.0,
    year: int = 2023,
) -> list[dict[str, Any]]:
    """n synthetic enterprises as fact dicts (the form ``explain`` takes)."""
    pop = generate_population(n, seed, schema, richness=richness, year=year)
    return [pop.facts_of(i) for i in range(n)]
