"""Fixtures of the standards tests: a small catalogue, the real one, private files in tmp."""

from __future__ import annotations

import pytest

from zhibiao.standards import catalogue, services

#: A small catalogue in the shape a user imports: editions, a stated replacement, an
#: edition the catalogue lists as withdrawn without saying by what (inferred), and titles.
ROWS = [
    {
        "标准号": "GB/T 16886.1-2022",
        "标准名称": "医疗器械生物学评价 第1部分：风险管理过程中的评价与试验",
        "状态": "现行",
    },
    {
        "标准号": "GB/T 16886.1-2011",
        "标准名称": "医疗器械生物学评价 第1部分：风险管理过程中的评价与试验",
        "状态": "废止",
    },
    {
        "标准号": "GB/T 42061-2022",
        "标准名称": "医疗器械 质量管理体系 用于法规的要求",
        "状态": "现行",
    },
    {"标准号": "GB/T 42062-2022", "标准名称": "医疗器械 风险管理对医疗器械的应用", "状态": "现行"},
    {"标准号": "GB 19272-2024", "标准名称": "室外健身器材的安全 通用要求", "状态": "现行"},
    {
        "标准号": "GB 19272-2011",
        "标准名称": "室外健身器材的安全 通用要求",
        "状态": "废止",
        "被代替标准": "GB 19272-2024",
    },
    {
        "标准号": "YY/T 0466.1-2023",
        "标准名称": "医疗器械 用于制造商提供信息的符号 第1部分：通用要求",
        "状态": "现行",
        "代替标准": "YY/T 0466.1-2016",
    },
    {
        "标准号": "GB/T 17498.6-2026",
        "标准名称": "室内固定式健身器材 第6部分：跑步机",
        "状态": "即将实施",
    },
    {"标准号": "T/CSSS 005—2024", "标准名称": "体育公园智慧化配置指南", "状态": "现行"},
    {"标准号": "GB 17498-1998", "标准名称": "健身器材的安全 通用要求", "状态": "废止"},
]


def load_rows(rows=ROWS):
    headers = sorted({key for row in rows for key in row})
    return catalogue.import_catalogue(None, headers, list(enumerate(rows, start=2)))


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def small_catalogue(db):
    return load_rows()


@pytest.fixture
def real_catalogue(db):
    return services.load_shipped_catalogue()
