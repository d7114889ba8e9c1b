"""Every kind of notification the code sends is in the table of families that mute it by
e-mail: its own prefix is no family (the award's `award.objection` is an objection), and a
kind missing from the table could never be muted without anyone having decided so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import zhibiao
from zhibiao.notifications.models import Family
from zhibiao.notifications.services import FAMILY_OF_KIND, family_of

SENDERS = {"notify": "kind", "notify_bulk": "kind"}


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _argument(call: ast.Call, function: ast.FunctionDef | None, name: str) -> ast.expr | None:
    """The expression passed as parameter `name` of the called function (by keyword, or by
    position when the called function's definition is known)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if function is not None:
        names = [a.arg for a in function.args.args]
        if name in names and names.index(name) < len(call.args):
            return call.args[names.index(name)]
    return None


def _kinds_of(value: ast.expr, within: ast.FunctionDef | None) -> tuple[set[str], str | None]:
    """The kinds `value` may be (a literal, an f-string's literal start, or the literals a
    local name is assigned), and the parameter it forwards when it is one."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}, None
    if isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
        return {value.values[0].value.split(".", 1)[0] + ".*"}, None
    if isinstance(value, ast.Name) and within is not None:
        if value.id in [a.arg for a in within.args.args + within.args.kwonlyargs]:
            return set(), value.id
        kinds = {
            node.value.value
            for node in ast.walk(within)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)
            and isinstance(node.value, ast.Constant)
        }
        if kinds:
            return kinds, None
    raise AssertionError(f"a notification's kind this test cannot read: {ast.unparse(value)}")


def sent_kinds() -> set[str]:
    """Every kind the platform's code passes to notify/notify_bulk, directly or through a
    helper that forwards its own parameter (`_tell_staff(application, "objection", …)`)."""
    root = Path(zhibiao.__file__).parent
    trees = [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and path.parent.name != "notifications"
    ]
    functions = {
        node.name: node
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    senders, kinds, seen = dict(SENDERS), set(), None
    while seen != senders:
        seen = dict(senders)
        for tree in trees:
            for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
                for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                    name = _called(call)
                    if name not in senders:
                        continue
                    value = _argument(call, functions.get(name), senders[name])
                    if value is None:
                        continue
                    found, forwarded = _kinds_of(value, function)
                    kinds |= found
                    if forwarded:
                        senders[function.name] = forwarded
    return kinds


def test_every_kind_the_code_sends_has_a_family_decided():
    kinds = sent_kinds()
    # The reading above found the calls it should (it would pass vacuously otherwise).
    assert {"award.objection", "award.assigned", "award_cycle.*", "objection"} <= kinds
    undecided = {
        kind
        for kind in kinds
        if kind.removesuffix(".*") not in FAMILY_OF_KIND
        and (kind.split(".", 1)[0] not in FAMILY_OF_KIND)
    }
    assert not undecided, f"add these kinds to FAMILY_OF_KIND: {sorted(undecided)}"


@pytest.mark.parametrize(
    ("kind", "family"),
    [
        ("award.objection", Family.OBJECTION),
        ("objection", Family.OBJECTION),
        ("award.assigned", Family.REVIEW),
        ("review.assigned", Family.REVIEW),
        ("award_cycle.open", Family.AWARD),
        ("award_entry.submit", Family.AWARD),
        ("application.submit", Family.APPLICATION),
        ("demand.new", Family.DEMAND),
        ("verification.rejected", None),
        ("test", None),
    ],
)
def test_a_kind_is_muted_by_the_family_a_user_would_count_it_in(kind, family):
    assert family_of(kind) == family


def test_every_family_a_user_may_mute_has_kinds():
    assert set(Family) == {family for family in FAMILY_OF_KIND.values() if family}
