"""Tables of standard-code prefixes and what each one says about a standard.

The prefix alone decides a standard's level (国家/行业/地方/团体/企业/国际) and whether it is
mandatory, so every other module asks this one instead of keeping its own lists. The tables are
deliberately generous on Chinese industry codes (a citation with an unknown prefix is dropped,
which costs recall) and deliberately strict on everything else (an unknown prefix is far more
often an abbreviation than a standard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from zhibiao.stdcodes.errors import CodeError, Reason


class Level(StrEnum):
    """Standard levels as Chinese documents and catalogues name them."""

    INTERNATIONAL = "国际"
    NATIONAL = "国家"
    INDUSTRY = "行业"
    LOCAL = "地方"
    GROUP = "团体"
    ENTERPRISE = "企业"


#: 行业标准代号: the two-letter sector codes of Chinese industry standards, with the sector.
#: Mandatory form is the bare code (``YY 0339``), recommended ``/T`` and guidance ``/Z``.
INDUSTRY_SECTORS: dict[str, str] = {
    "AQ": "安全生产",
    "BB": "包装",
    "CB": "船舶",
    "CH": "测绘",
    "CJ": "城镇建设",
    "CY": "新闻出版",
    "DA": "档案",
    "DB": "地震",
    "DL": "电力",
    "DZ": "地质矿产",
    "EJ": "核工业",
    "FZ": "纺织",
    "GA": "公共安全",
    "GH": "供销合作",
    "GM": "密码",
    "GY": "广播电影电视",
    "HB": "航空",
    "HG": "化工",
    "HJ": "环境保护",
    "HS": "海关",
    "HY": "海洋",
    "JB": "机械",
    "JC": "建材",
    "JG": "建筑工业",
    "JR": "金融",
    "JT": "交通",
    "JY": "教育",
    "LB": "旅游",
    "LD": "劳动和劳动安全",
    "LS": "粮食",
    "LY": "林业",
    "MH": "民用航空",
    "MT": "煤炭",
    "MZ": "民政",
    "NB": "能源",
    "NY": "农业",
    "QB": "轻工",
    "QC": "汽车",
    "QJ": "航天",
    "QX": "气象",
    "RB": "认证认可",
    "SB": "国内贸易",
    "SC": "水产",
    "SF": "司法",
    "SH": "石油化工",
    "SJ": "电子",
    "SL": "水利",
    "SN": "出入境检验检疫",
    "SW": "税务",
    "SY": "石油天然气",
    "TB": "铁路运输",
    "TD": "土地管理",
    "TY": "体育",
    "WB": "物资管理",
    "WH": "文化",
    "WJ": "兵工民品",
    "WM": "外经贸",
    "WS": "卫生",
    "WW": "文物保护",
    "XB": "稀土",
    "XF": "消防救援",
    "YB": "黑色冶金",
    "YC": "烟草",
    "YD": "通信",
    "YJ": "应急管理",
    "YS": "有色金属",
    "YY": "医药",
    "YZ": "邮政",
    "ZY": "中医药",
}

#: Engineering-construction and other multi-letter industry codes, mapped to their sector.
INDUSTRY_ALIASES: dict[str, str] = {
    "JGJ": "JG",  # 建筑工程
    "CJJ": "CJ",  # 城镇建设工程
    "JTG": "JT",  # 公路工程
    "JTJ": "JT",  # 水运/公路工程 (older)
    "NB/SH": "NB",  # 能源 (石油化工部分), only as NB/SH/T
}

#: National-level codes other than GB/T and GB/Z: occupational health (GBZ), old engineering
#: standards (GBJ), military (GJB) and the national metrology rules (JJF 技术规范, JJG 检定规程).
NATIONAL_ORGS: dict[str, tuple[str, ...]] = {
    "GB": ("", "T", "Z"),
    "GBZ": ("", "T"),
    "GBJ": ("", "T"),
    "GJB": ("", "Z"),
    "JJF": ("",),
    "JJG": ("",),
}

#: Which kinds (mandatory "", recommended "T", guidance "Z") each industry code takes.
INDUSTRY_KINDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(INDUSTRY_SECTORS, ("", "T", "Z")),
    "DB": ("T",),  # bare "DB" + number is never a code: DB + region digits is local
    "JGJ": ("", "T"),
    "CJJ": ("", "T"),
    "JTG": ("", "T"),
    "JTJ": ("", "T"),
    "NB/SH": ("T",),
}

#: Association standards written without ``T/``: 中国工程建设标准化协会's ``CECS 01:2004``
#: (before 2018, when they became ``T/CECS``). Real documents cite them (issue 15); they are
#: group standards, neither national nor industry ones.
ASSOCIATION_ORGS: dict[str, tuple[str, ...]] = {"CECS": ("",)}

#: Every letter code that can open a Chinese national, industry or association prefix.
CN_ORGS: frozenset[str] = (
    frozenset(NATIONAL_ORGS) | frozenset(INDUSTRY_KINDS) | frozenset(ASSOCIATION_ORGS)
)

#: First two digits of 行政区划代码 (GB/T 2260): the only valid local-standard regions.
# fmt: off
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
    "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
    "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
# fmt: on

#: Codes whose numbers may start with letters (公路 ``JTG D60``); group and enterprise
#: standards may too, see :func:`allows_letter_number`.
LETTER_NUMBER_ORGS: frozenset[str] = frozenset({"JTG", "JTJ"})

_LOCAL_RE = re.compile(r"DB(\d{2})(\d{2})?(?:/(T))?")
_GROUP_RE = re.compile(r"T/[A-Z][A-Z0-9]*[A-Z]")
_ENTERPRISE_RE = re.compile(r"Q/[0-9]{0,6}[A-Z][A-Z0-9]*[A-Z]")
_INTL_RE = re.compile(
    r"(?:EN (?=ISO|IEC))?(?:ISO|IEC)(?:/(?:ISO|IEC|IEEE|ASTM))*"
    r"(?:/(?:TS|TR|PAS)| (?:TS|TR|PAS)| Guide)?|EN|ASTM|(?:ANSI/)?AAMI"
)
#: The Association for the Advancement of Medical Instrumentation, alone or as an American
#: national standard: numbers carry their series' letters (ST79, TIR12), years follow a colon.
AAMI_PREFIXES: frozenset[str] = frozenset({"AAMI", "ANSI/AAMI"})


@dataclass(frozen=True, slots=True)
class PrefixInfo:
    """What a canonical prefix tells about every standard that carries it."""

    level: Level
    is_mandatory: bool | None
    industry: str | None
    family: str  # "cn" (Chinese layout), "iso" (ISO/IEC/EN layout) or "astm"


@lru_cache(maxsize=4096)
def prefix_info(prefix: str) -> PrefixInfo:
    """Classify a canonical prefix; raise `CodeError` for anything that is not one.

    Cached because the same few dozen prefixes are looked up for every citation.
    """
    if prefix in ("", None):
        raise CodeError(Reason.NO_PREFIX)
    org, _, kind = prefix.rpartition("/") if prefix.endswith(("/T", "/Z")) else (prefix, "", "")
    if org in NATIONAL_ORGS and kind in NATIONAL_ORGS[org]:
        mandatory = None if org in ("JJF", "JJG") else kind == ""
        return PrefixInfo(Level.NATIONAL, mandatory, None, "cn")
    if org in ASSOCIATION_ORGS and kind in ASSOCIATION_ORGS[org]:
        return PrefixInfo(Level.GROUP, None, None, "cn")
    if org in INDUSTRY_KINDS and kind in INDUSTRY_KINDS[org]:
        sector = INDUSTRY_ALIASES.get(org, org)
        return PrefixInfo(Level.INDUSTRY, kind == "", sector, "cn")
    m = _LOCAL_RE.fullmatch(prefix)
    if m and m.group(1) in PROVINCE_CODES:
        return PrefixInfo(Level.LOCAL, m.group(3) is None, None, "cn")
    if _GROUP_RE.fullmatch(prefix):
        return PrefixInfo(Level.GROUP, None, None, "cn")
    if _ENTERPRISE_RE.fullmatch(prefix):
        return PrefixInfo(Level.ENTERPRISE, None, None, "cn")
    if _INTL_RE.fullmatch(prefix):
        return PrefixInfo(Level.INTERNATIONAL, None, None, "astm" if prefix == "ASTM" else "iso")
    raise CodeError(Reason.UNKNOWN_PREFIX, prefix=prefix)


def allows_letter_number(prefix: str) -> bool:
    """Whether numbers such as ``TG06-011.3`` or ``D60`` are plausible after this prefix.

    Only group, enterprise and highway-engineering codes use them; elsewhere a letter after the
    prefix means the text is not a code (``GB A1``).
    """
    return prefix.startswith(("T/", "Q/")) or prefix.split("/")[0] in LETTER_NUMBER_ORGS
