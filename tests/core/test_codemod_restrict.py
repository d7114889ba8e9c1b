"""scripts/codemod_restrict.py rewrites the old permission verbs the same way each time, and a
second run changes nothing: the lead re-runs it after merging branches that still call them."""

# codemod_restrict: skip (the examples below are the old verbs on purpose)

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "codemod_restrict.py"


@pytest.fixture(scope="module")
def codemod():
    spec = importlib.util.spec_from_file_location("codemod_restrict", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BEFORE = """from zhibiao.accounts.permissions import ensure
from zhibiao.events.models import Event


def service(actor, event, speaker):
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    ensure(Event.objects.managed_by(actor).filter(pk=speaker.event_id).exists())


def view(request, pk):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    other = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    rows = Registration.objects.of(request.user).select_related("event")
    private = Organisation.objects.private_visible_to(request.user)
    may = request.user.is_authenticated and (
        Event.objects.managed_by(request.user).filter(pk=pk).exists()
    )
    clause = get_object_or_404(
        Clause.objects.visible_to(request.user), code=code
    )
    return self.editable_by(user), may


MACHINE = Machine(Demand, (), visible=Demand.objects.visible_to, history=DemandStep)
"""

AFTER = """from zhibiao.core.permissions import can, ensure_can
from zhibiao.accounts.permissions import ensure
from zhibiao.events.models import Event


def service(actor, event, speaker):
    ensure_can(actor, "manage", event)
    ensure_can(actor, "manage", Event(pk=speaker.event_id))


def view(request, pk):
    event = Event.objects.get_for(request.user, "view", pk)
    other = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
    rows = Registration.objects.restrict(request.user, "act").select_related("event")
    private = Organisation.objects.restrict(request.user, "view_private")
    may = request.user.is_authenticated and can(request.user, "manage", Event(pk=pk))
    clause = Clause.objects.get_for(request.user, "view", code=code)
    return self.restrict(user, "change"), may


MACHINE = Machine(Demand, (), restrict="view", history=DemandStep)
"""


def test_rewrites_the_verbs_and_the_inline_checks(codemod):
    assert codemod.rewrite(BEFORE) == AFTER


def test_a_second_run_changes_nothing(codemod):
    assert codemod.rewrite(AFTER) == AFTER


def test_leaves_definitions_private_verbs_and_other_of_alone(codemod):
    text = (
        "    def _visible_to(self, user):\n"
        "        return self._managed_by(user)\n"
        "    actions = {'view': _visible_to}\n"
        "x = shape.of(size)\n"
        "bases = TrainingBase.objects.listed()\n"
    )
    assert codemod.rewrite(text) == text


def test_the_tree_has_nothing_left_to_rewrite(codemod):
    root = SCRIPT.parents[1]
    files = codemod._files([str(root / "zhibiao"), str(root / "tests")])
    texts = {f: f.read_text() for f in files}
    left = [str(f) for f, text in texts.items() if codemod.SKIP not in text]
    assert [f for f in left if codemod.rewrite(texts[Path(f)]) != texts[Path(f)]] == []


QUERYSET_BEFORE = '''from django.db import models

from zhibiao.accounts.permissions import is_district_admin


class ThingQuerySet(models.QuerySet):
    def visible_to(self, user) -> ThingQuerySet:
        """Public things for everyone, all for administrators."""
        if is_district_admin(user):
            return self
        return self.filter(Q(is_public=True) | Q(pk__in=self.managed_by(user)))

    def managed_by(self, user) -> ThingQuerySet:
        return self.filter(owner=user)


class Thing(models.Model):
    objects = ThingQuerySet.as_manager()
'''

QUERYSET_AFTER = '''from django.db import models

from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.accounts.permissions import is_district_admin


class ThingQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> ThingQuerySet:
        """Public things for everyone, all for administrators."""
        if is_district_admin(user):
            return self
        return self.filter(Q(is_public=True) | Q(pk__in=self.restrict(user, "manage")))

    def _managed_by(self, user) -> ThingQuerySet:
        return self.filter(owner=user)

    actions = {"view": _visible_to, "manage": _managed_by}


class Thing(models.Model):
    objects = ThingQuerySet.as_manager()
'''


def test_a_queryset_still_defining_verbs_gets_a_table(codemod):
    assert codemod.rewrite(QUERYSET_BEFORE) == QUERYSET_AFTER
    assert codemod.rewrite(QUERYSET_AFTER) == QUERYSET_AFTER
