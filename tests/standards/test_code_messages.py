"""A mistyped standard code, wherever a person types one, is told in the page's language with
the code and what is wrong (`zhibiao.core.standard_codes`), never in the English sentence
stdcodes keeps for developers ("'TT/ABC 001-2023': unknown standard prefix 'TT/ABC'")."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for
from zhibiao.core import standard_codes
from zhibiao.core.tabular import ImportFailed
from zhibiao.profiles.models import StandardDrafting
from zhibiao.standards import catalogue, services
from zhibiao.standards.models import AnnouncementKind, Standard

pytestmark = pytest.mark.django_db


def _translated(message: str) -> str:
    """The catalogue's translation, stood in for: the source string's English words become
    Chinese; its placeholders and example codes stay."""
    parts = re.split(r"(%\(\w+\)s)", message)
    return "".join(p if p.startswith("%(") else re.sub(r"[A-Za-z']{4,}", "译", p) for p in parts)


@pytest.fixture(autouse=True)
def _translated_messages(monkeypatch):
    monkeypatch.setattr(standard_codes, "gettext", _translated)


def _says(message: str, code: str, fault: str) -> None:
    assert code in message and fault in message, message
    assert not re.search(r"[A-Za-z]{4,}", message.replace(code, "")), message


@pytest.mark.parametrize(
    ("code", "fault"),
    [("TT/ABC 001-2023", "TT/ABC"), ("T/ABC 001-0", "0"), ("T/ABC 001-1800", "1800")],
)
def test_publishing_a_group_standard(chamber_user, code, fault):
    response = client_for(chamber_user).post(
        reverse("standards:group_create"),
        {"code": code, "title": "测试团体标准", "published_on": "2024-01-02"},
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["code"]
    _says(message, code, fault)


def test_catalogue_import_row(admin_user):
    with pytest.raises(ImportFailed) as failed:
        catalogue.import_catalogue(
            admin_user, ["标准号", "标准名称"], [(2, {"标准号": "XYZ 12-2020", "标准名称": "测试"})]
        )
    ((row, column, message),) = [(e.row, e.column, e.message) for e in failed.value.result.errors]
    assert (row, column) == (2, "标准号")
    _says(message, "XYZ 12-2020", "XYZ")


def test_catalogue_entry_in_the_admin_site():
    with pytest.raises(ValidationError) as raised:
        Standard(code="GB/T A12-2020", title="测试").full_clean()
    (message,) = raised.value.message_dict["code"]
    _says(message, "GB/T A12-2020", "A12")


def test_announcement_rows(admin_user):
    table = (
        "序号,标准编号,标准名称,代替标准号,实施日期\n"
        "1,XYZ 12-2020,甲,,2025-09-01\n"
        "2,GB/T 7-2025,乙,GB/T1912008,2025-09-01\n"
    )
    with pytest.raises(ImportFailed) as failed:
        services.apply_announcement(
            admin_user,
            io.BytesIO(table.encode()),
            name="table.csv",
            kind=AnnouncementKind.NATIONAL,
            number="2025年第1号",
            date=datetime.date(2025, 3, 1),
        )
    errors = {(e.row, e.column): e.message for e in failed.value.result.errors}
    _says(errors[(2, "标准编号")], "XYZ 12-2020", "XYZ")
    _says(errors[(3, "代替标准号")], "GB/T1912008", "GB/T 191-2008")  # how to write it


def test_declaration(enterprise_user):
    with pytest.raises(ValidationError) as raised:
        services.save_declaration(
            enterprise_user,
            {
                "product": "跑步机",
                "product_category": "跑步机",
                "standards": "GB/T 42061-2022\nTT/ABC 001-2023",
                "own_code": "",
                "own_title": "跑步机",
                "indicators": "最大用户体重 ≥150 kg",
                "statement": "我们声明。",
            },
        )
    (standards,) = raised.value.message_dict["standards"]
    _says(standards, "TT/ABC 001-2023", "TT/ABC")


def test_own_standard_of_a_declaration(enterprise_user):
    with pytest.raises(ValidationError) as raised:
        services.save_declaration(
            enterprise_user,
            {
                "product": "跑步机",
                "product_category": "跑步机",
                "standards": "GB/T 42061-2022",
                "own_code": "Q/31FX 001-1800",
                "own_title": "跑步机",
                "indicators": "最大用户体重 ≥150 kg",
                "statement": "我们声明。",
            },
        )
    (own,) = raised.value.message_dict["own_code"]
    _says(own, "Q/31FX 001-1800", "1800")


def test_standard_drafted_in_an_enterprise_file(org):
    record = StandardDrafting(organisation=org, code="GB/T 43210-20231", rank=1, year=2023)
    with pytest.raises(ValidationError) as raised:
        record.clean()
    (message,) = raised.value.message_dict["code"]
    _says(message, "GB/T 43210-20231", "20231")
