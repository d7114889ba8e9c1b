"""Validation of organisations: each bad input is refused with a message naming its field."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.factories import make_organisation
from zhibiao.directory.models import Industry, Organisation, industry_names

pytestmark = pytest.mark.django_db


def errors_of(**values) -> dict[str, list[str]]:
    base = {
        "kind": "enterprise",
        "name": "上海校验测试有限公司",
        "uscc": "91310120MA1FL0N52B",
        "town": "nanqiao",
        "ownership": "private",
    }
    base.update(values)
    with pytest.raises(ValidationError) as caught:
        Organisation(**base).full_clean()
    return caught.value.message_dict


def test_valid_organisation_saves():
    organisation = make_organisation(uscc="91350100M000100Y43")
    assert Organisation.objects.get(pk=organisation.pk).uscc == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100I43", "“I”"),
        ("9135010", "18"),
    ],
)
def test_bad_uscc_named_in_chinese(value, fragment):
    errors = errors_of(uscc=value)
    assert list(errors) == ["uscc"]
    assert fragment in errors["uscc"][0]


def test_duplicate_uscc_refused():
    make_organisation(uscc="91350100M000100Y43")
    errors = errors_of(uscc="91350100M000100Y43")
    assert errors["uscc"] == ["另一个组织已使用该统一社会信用代码。"]


def test_unknown_town_refused():
    assert "town" in errors_of(town="atlantis")


def test_enterprise_needs_town_and_code():
    errors = errors_of(town="", uscc="")
    assert set(errors) == {"town", "uscc"}


def test_over_long_name_refused():
    errors = errors_of(name="长" * 101)
    assert "name" in errors


def test_future_founding_date_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert "founded_on" in errors_of(founded_on=tomorrow)


def test_industry_code_normalised_and_checked():
    organisation = make_organisation(industry="2411")
    assert organisation.industry == "C2411"
    assert "industry" in errors_of(industry="A2411")  # division 24 is in section C
    assert "industry" in errors_of(industry="C9")
    assert "industry" in errors_of(industry="C99")  # there is no division 99


def test_industry_names_walk_up_to_known_level():
    names = industry_names()
    assert names.get("C24") == Industry.objects.get(code="24").name
    # A class the table does not list falls back to its division's name.
    assert names.get("C2499") in (
        Industry.objects.filter(code="249").values_list("name", flat=True).first(),
        Industry.objects.get(code="24").name,
    )


def test_messages_in_english_when_asked():
    with translation.override("en"):
        errors = errors_of(uscc="91350100M000100Y44")
    assert "check character" in errors["uscc"][0]
