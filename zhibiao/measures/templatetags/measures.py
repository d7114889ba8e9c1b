"""Showing the rules' results as people read them: codes become their Chinese labels, phrases
are translated, amounts are written with thousands separators."""

from django import template

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.measures import facts, phrases

register = template.Library()


@register.filter
def fact_label(value, name: str):
    """`private` → 民营 for `ownership`; values of unknown facts pass through."""
    definition = facts.schema().get(name)
    if definition is not None and definition.values and isinstance(value, str):
        return definition.values.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(item) for item in value) or "—"
    return value


@register.filter
def say(value) -> str:
    """A phrase of the rules engine (or an author's label) in the active language."""
    return phrases.say(value)


@register.filter
def yuan(value) -> str:
    """Money everywhere on the measures and applications pages: 50,000 元, 1,234.50 元."""
    return phrases.yuan(value)


@register.filter
def sees_rule_text(user) -> bool:
    """Whether the user may read the rule text behind a result (district staff write the
    rules; an enterprise reads them in words)."""
    return is_district_admin(user)


@register.filter
def say_condition(condition) -> str:
    """A condition of an explanation (its `to_dict` form) in words with the values used."""
    return phrases.say_condition(condition.get("phrase"), condition.get("label", ""))


@register.filter
def show_error(error) -> str:
    """A rule error (the clause editor, the rule-book import) in the active language, with the
    names and code it quotes set as code."""
    return phrases.show_error(error)
