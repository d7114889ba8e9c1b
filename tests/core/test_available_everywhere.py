"""Only possible steps, for every state machine: on every object of every machine in the demo
story, in whatever state the story left it, what `available` offers each demo user is exactly
what `take` accepts. The applications' own test walks one application through its whole path;
this one covers the machines declared since, so a new machine is covered by its demo data."""

import pytest

from tests.applications.test_available_steps import assert_available_agrees
from zhibiao.accounts.models import User
from zhibiao.bases.models import Batch
from zhibiao.bases.services import nominate
from zhibiao.core.workflow import _MACHINES, take

pytestmark = pytest.mark.django_db

#: At most this many objects per state and machine (the property is about states and roles).
PER_STATE = 2


def test_available_is_what_take_accepts_on_every_machine(demo, settings):
    settings.DEMO_MODE = True
    actors = list(User.objects.filter(is_active=True).order_by("pk"))
    _nominations_in_every_state(actors)
    covered = {}
    for model, _machine in sorted(_MACHINES.items(), key=lambda item: item[0].__name__):
        states = list(model.objects.order_by("status").values_list("status", flat=True).distinct())
        for state in states:
            for obj in model.objects.filter(status=state).order_by("pk")[:PER_STATE]:
                assert_available_agrees(actors, obj)
        covered[model.__name__] = sorted(states)
    # Every machine's model has demo objects, in more than one state where the story has them.
    assert all(covered.values()), covered
    assert len(covered) == len(_MACHINES)


def _nominations_in_every_state(actors) -> None:
    """The story has no application to become a training base: one, taken to each state."""
    enterprise, admin = (User.objects.get(username=name) for name in ("enterprise", "admin"))
    nomination = nominate(enterprise, {"statement": "申请成为培训基地", "offer": "场地与讲师"})
    for action in ("start_review", "approve"):
        assert_available_agrees(actors, nomination)
        nomination = take(admin, nomination, action, reason="符合条件")
    assert_available_agrees(actors, nomination, {"batch": Batch.objects.order_by("pk").last()})
    rejected = take(admin, nomination, "reject", reason="名额已满")
    assert_available_agrees(actors, rejected)
    again = nominate(enterprise, {"statement": "再次申请", "offer": "场地"})
    withdrawn = take(enterprise, again, "withdraw")
    nominate_again = nominate(enterprise, {"statement": "第三次申请", "offer": "场地"})
    assert_available_agrees(actors, withdrawn)
    assert_available_agrees(actors, nominate_again)
