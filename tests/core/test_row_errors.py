"""A service that checks many rows at once says every row's errors in one ValidationError
(`prefixed`), and a page puts each back on its row (`by_row`): the two are each other's inverse."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from zhibiao.core.forms import by_row, prefixed


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
