"""Showing fact values as people read them: codes become their Chinese labels."""

from django import template

from zhibiao.measures import facts

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
