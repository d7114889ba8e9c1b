"""A service that checks many rows at once says every row's errors in one ValidationError
(`prefixed`), and a page puts each back on its row (`by_row`): the two are each other's inverse."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from zhibiao.core.forms import by_row, prefixed, put_on_rows


def test_a_rows_errors_are_keyed_under_its_prefix_and_read_back():
    on_fields = ValidationError({"name": ["没有姓名"], NON_FIELD_ERRORS: ["整行有误"]})
    keyed = prefixed(on_fields, "attendees.2")
    assert keyed == {"attendees.2.name": ["没有姓名"], "attendees.2": ["整行有误"]}
    keyed.update(prefixed(ValidationError("号码重复"), "attendees.5"))
    keyed["attendees"] = ["至少一人"]
    rows, rest = by_row(ValidationError(keyed), "attendees")
    assert rows == {
        "2": {"name": ["没有姓名"], NON_FIELD_ERRORS: ["整行有误"]},
        "5": {NON_FIELD_ERRORS: ["号码重复"]},
    }
    assert rest == {"attendees": ["至少一人"]}


def test_errors_of_no_row_are_the_rest():
    rows, rest = by_row(
        ValidationError({"title": ["太长"], "indicators.1.weight": ["超出"]}), "indicators"
    )
    assert rows == {"1": {"weight": ["超出"]}} and rest == {"title": ["太长"]}
    rows, rest = by_row(ValidationError("整体有误"), "indicators")
    assert rows == {} and rest == {NON_FIELD_ERRORS: ["整体有误"]}


class _Row(forms.Form):
    name = forms.CharField(required=False)


def test_put_on_rows_puts_each_rows_errors_on_its_form_and_returns_the_rest():
    keyed = prefixed(ValidationError({"name": ["没有姓名"]}), "attendees.0")
    keyed.update(prefixed(ValidationError("号码重复"), "attendees.1"))
    keyed.update(prefixed(ValidationError("不在页面上"), "attendees.7"))
    keyed["attendees"] = ["至少一人"]
    keyed["event"] = ["已截止"]
    first, second = _Row({}), _Row({})
    first.is_valid(), second.is_valid()
    rest = put_on_rows(ValidationError(keyed), "attendees", {"0": first, "1": second})
    assert first.errors == {"name": ["没有姓名"]}
    assert second.non_field_errors() == ["号码重复"]
    assert rest == {"event": ["已截止"], NON_FIELD_ERRORS: ["至少一人", "不在页面上"]}
