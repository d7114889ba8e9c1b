"""The standards part of the demo: the shipped (real) catalogue, and demonstration records
around it: declarations, one ranked 领跑者 evaluation, a chamber's adopted group standard.

Everything but the catalogue is demonstration data (marked 演示 where a title shows it);
thresholds and indicator values are plausible, not taken from a real evaluation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from zhibiao import stdcodes
from zhibiao.accounts.models import User
from zhibiao.standards import catalogue, services
from zhibiao.standards.models import (
    CatalogueSource,
    Declaration,
    DeclarationStatus,
    DeclaredStandard,
    EntryValue,
    GroupStandard,
    GroupStandardDrafter,
    Indicator,
    LeaderEntry,
    LeaderScheme,
    SchemeStatus,
    Standard,
    Status,
)

ENTERPRISE = "上海贤达精密机械有限公司"
CHAMBER = "上海市奉贤区美丽健康产业商会"
MSB = "上海市奉贤区市场监督管理局"
PUBLISHED = datetime.datetime(2023, 9, 1, 10, 0, tzinfo=datetime.UTC)

DECLARATIONS = [
    {
        "product": "商用电动跑步机 XD-T90",
        "product_category": "商用电动跑步机",
        "standards": ["GB 17498.1-2008", "GB 17498.6-2008"],
        "own_code": "Q/31FXXD 001-2023",
        "own_title": "商用电动跑步机",
        "indicators": "最大用户体重：≥150 kg（GB 17498.6 试验方法）\n"
        "速度控制精度：≤3 %\n运行噪声：≤62 dB(A)\n连续运行无故障时间：≥2000 h",
        "statement": (
            "本企业声明：上述产品按所列标准组织生产和检验，对声明内容的真实性负责。（演示）"
        ),
    },
    {
        "product": "室外健身路径器材 XD-L12",
        "product_category": "室外健身器材",
        "standards": ["GB 19272-2011"],
        "statement": "本企业声明：上述产品按所列标准组织生产和检验。（演示）",
    },
]

SCHEME = {
    "product_category": "商用电动跑步机",
    "year": datetime.date.today().year,  # this year's ranking, so the measures read it
    "title": "年度企业标准“领跑者”评估：商用电动跑步机（演示）",
    "basis": "GB 17498.6-2008",
    "leader_count": 2,
}
INDICATORS = [
    ("符合 GB 17498.1、GB 17498.6 的安全要求", "basic", "", "", None),
    ("最大用户体重", "core", "kg", "higher", Decimal("100")),
    ("速度控制精度", "core", "%", "lower", Decimal("5")),
    ("运行噪声", "core", "dB(A)", "lower", Decimal("70")),
    ("连续运行无故障时间", "core", "h", "higher", Decimal("1000")),
    ("智能心率联动调速", "innovation", "", "", None),
]
# Only the fictional demo enterprises take part: a ranking is a claim about a company, and
# the real companies of the story have not been ranked by anyone.
ENTRIES = [
    (ENTERPRISE, "商用电动跑步机 XD-T90", [True, 150, 3, 62, 2000, "心率区间自动调速"]),
    ("上海金汇智能装备股份有限公司", "商用跑步机 JH-R5", [True, 136, 4, 64, 1600, ""]),
    ("上海奉城新材料科技有限公司", "电动跑步机 FC-1", [True, 120, 4.5, 68, 1200, ""]),
]

GROUP = {
    "code": "T/FXMLJK 001-2023",
    "title": "化妆品生产企业质量管理规范（演示）",
    "published_on": datetime.date(2023, 8, 18),
    "effective_on": datetime.date(2023, 9, 1),
    "summary": "规定化妆品生产企业从原料验收到成品放行的质量管理要求。演示数据。",
    "adopted_on": datetime.date(2023, 10, 16),
    "adoption_document": "奉市监质〔2023〕演示第1号",
    "drafters": ["上海东方美谷生物科技有限公司"],  # fictional, like every drafter in the demo
}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load(loader, orgs: dict) -> None:
    """Bring the standards demo up to date; ``loader`` is the demo's upsert helper."""
    from django.conf import settings

    results = services.load_shipped_catalogue() if settings.DEMO_CATALOGUE else []
    created = sum(r.created for r in results)
    updated = sum(r.updated for r in results)
    label = str(Standard._meta.verbose_name_plural)
    if created:
        loader.report.created[label] += created
    if updated:
        loader.report.updated[label] += updated
    declarations = _declarations(loader, orgs)
    _scheme(loader, orgs, declarations)
    _group(loader, orgs)


def _declarations(loader, orgs: dict) -> dict[str, Declaration]:
    out = {}
    for spec in DECLARATIONS:
        values = {
            k: spec.get(k, "")
            for k in ("product_category", "own_code", "own_title", "indicators", "statement")
        }
        values.update(status=DeclarationStatus.PUBLISHED, published_at=PUBLISHED)
        declaration = loader.upsert(
            Declaration, {"enterprise": orgs[ENTERPRISE], "product": spec["product"]}, values
        )
        codes = list(spec["standards"])
        if spec.get("own_code"):
            codes.insert(0, spec["own_code"])
        for code in codes:
            loader.upsert(
                DeclaredStandard,
                {"declaration": declaration, "code": code},
                {
                    "standard": Standard.objects.filter(code=code).first(),
                    "own": code == spec.get("own_code"),
                },
            )
        out[spec["product"]] = declaration
    return out


def _scheme(loader, orgs: dict, declarations: dict) -> None:
    scheme = loader.upsert(
        LeaderScheme,
        {"product_category": SCHEME["product_category"], "year": SCHEME["year"]},
        {k: v for k, v in SCHEME.items() if k not in ("product_category", "year")},
    )
    indicators = []
    for order, (name, kind, unit, direction, threshold) in enumerate(INDICATORS, start=1):
        indicators.append(
            loader.upsert(
                Indicator,
                {"scheme": scheme, "name": name},
                {
                    "order": order,
                    "kind": kind,
                    "unit": unit,
                    "direction": direction,
                    "threshold": threshold,
                    "threshold_source": SCHEME["basis"] + "（演示）"
                    if threshold is not None
                    else "",
                },
            )
        )
    staff = User.objects.get(username="admin")
    for enterprise, product, values in ENTRIES:
        # Entered by the enterprise; district staff checked the values against its test
        # report before the ranking (only verified entries are ranked and pay).
        entry = loader.upsert(
            LeaderEntry,
            {"scheme": scheme, "enterprise": orgs[enterprise], "product": product},
            {
                "declaration": declarations.get(product),
                "recorded_by": User.objects.filter(organisation=orgs[enterprise])
                .order_by("pk")
                .first(),
                "recorded_at": PUBLISHED - datetime.timedelta(days=30),
                "verification": "verified",
                "checked_by": staff,
                "checked_at": PUBLISHED - datetime.timedelta(days=10),
            },
        )
        for indicator, value in zip(indicators, values, strict=True):
            fields = {"value": None, "passed": None, "note": ""}
            if indicator.kind == "core":
                fields["value"] = Decimal(str(value))
            elif indicator.kind == "basic":
                fields["passed"] = bool(value)
            else:
                fields["note"] = value
            loader.upsert(EntryValue, {"entry": entry, "indicator": indicator}, fields)
    # Ranking is a computation over the values above: the same values give the same ranks.
    entries = list(scheme.entries.select_related("enterprise").prefetch_related("values"))
    before = [(e.pk, e.rank, e.is_leader, e.score) for e in entries]
    services.compute_ranks(scheme, entries, list(scheme.indicators.all()))
    if before != [(e.pk, e.rank, e.is_leader, e.score) for e in entries]:
        LeaderEntry.objects.bulk_update(
            entries, ["eligible", "reason", "score", "rank", "is_leader"]
        )
        loader.report.updated[str(LeaderEntry._meta.verbose_name_plural)] += 1
    if scheme.status != SchemeStatus.RANKED:
        scheme.status, scheme.ranked_at = SchemeStatus.RANKED, PUBLISHED
        scheme.save(update_fields=["status", "ranked_at"])


def _group(loader, orgs: dict) -> None:
    code = stdcodes.parse(GROUP["code"])
    values = {
        "title": GROUP["title"],
        "published_on": GROUP["published_on"],
        "effective_on": GROUP["effective_on"],
        "status": Status.CURRENT,
        "issued_by": CHAMBER,
        "source": CatalogueSource.GROUP,
    }
    standard = loader.upsert(Standard, {"code": code.canonical}, values)
    if not standard.tokens.exists():
        catalogue.index_titles([standard])
    group = loader.upsert(
        GroupStandard,
        {"standard": standard},
        {
            "chamber": orgs[CHAMBER],
            "summary": GROUP["summary"],
            "adopted_by": orgs[MSB],
            "adopted_on": GROUP["adopted_on"],
            "adoption_document": GROUP["adoption_document"],
            # The chamber recorded it; the adopting department's own user verified it.
            "recorded_by": User.objects.get(username="chamber"),
            "recorded_at": _at(GROUP["adopted_on"], 10),
            "verification": "verified",
            "checked_by": User.objects.get(username="department"),
            "checked_at": _at(GROUP["adopted_on"] + datetime.timedelta(days=3), 15),
        },
    )
    for rank, name in enumerate(GROUP["drafters"], start=1):
        loader.upsert(
            GroupStandardDrafter,
            {"group_standard": group, "organisation": orgs[name]},
            {"rank": rank},
        )
