"""The indicators file: complete, and checked when loaded so a slip stops the start."""

from __future__ import annotations

import pytest

from zhibiao.core.focuses import Focus
from zhibiao.dashboard import indicators as engine

REQUIRED = {
    Focus.POLICY: {"measures_in_force", "enterprises_entitled", "applications",
                   "amount_approved", "amount_disbursed", "share_auto", "days_to_payment"},
    Focus.INFRASTRUCTURE: {"standards_led_national", "standards_led_local_group", "declarations",
                           "leaders", "checks_run", "superseded_found", "demands_served",
                           "demand_rating"},
    Focus.ENVIRONMENT: {"events_held", "trainings_held", "attendees", "satisfaction",
                        "committee_reviews"},
}  # fmt: skip


def test_the_issue_s_indicators_are_defined_under_their_focus(db):
    table = engine.by_code()
    for focus, codes in REQUIRED.items():
        for code in codes:
            assert table[code].focus == focus, code


def test_every_indicator_is_named_defined_and_measured_in_both_languages(db):
    for indicator in engine.indicators():
        for texts in (indicator.name, indicator.definition, indicator.unit):
            assert texts.get("zh") and texts.get("en"), indicator.code


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("- {code: x, focus: policy, name: {}, definition: {}, unit: {}, colour: red, "
         "model: applications.Application}", "unknown keys"),
        ("- {code: x, focus: money, name: {}, definition: {}, unit: {}, "
         "model: applications.Application}", "focus must be"),
        ("- {code: x, focus: policy, name: {}, definition: {}, unit: {}}", "say what is counted"),
        ("- {code: x, focus: policy, name: {}, definition: {}, unit: {}, "
         "ratio: {of: a, to: b}}", "ratio of unknown"),
        ("- {code: x, focus: policy, name: {}, definition: {}, unit: {}, model: a.B}\n",
         "x: no model 'a.B'"),
    ],
)  # fmt: skip
def test_a_wrong_definition_is_refused_with_its_reason(tmp_path, monkeypatch, yaml, message):
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml, encoding="utf-8")
    monkeypatch.setattr(engine, "DEFINITIONS", path)
    engine.indicators.cache_clear()
    try:
        with pytest.raises(engine.DefinitionError, match=message):
            engine.indicators()
    finally:
        engine.indicators.cache_clear()


def test_a_definition_given_twice_is_refused(tmp_path, monkeypatch):
    one = "- {code: x, focus: policy, name: {}, definition: {}, unit: {}, model: auth.User}\n"
    path = tmp_path / "indicators.yaml"
    path.write_text(one * 2, encoding="utf-8")
    monkeypatch.setattr(engine, "DEFINITIONS", path)
    engine.indicators.cache_clear()
    try:
        with pytest.raises(engine.DefinitionError, match="defined twice"):
            engine.indicators()
    finally:
        engine.indicators.cache_clear()
