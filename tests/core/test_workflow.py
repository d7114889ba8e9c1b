"""The workflow engine on its own: a tiny machine over the demand model (declared here, not
registered, so the supply platform's own machine stays in place), and the lookup of the real
machines. Each refusal comes before anything is written; a step taken writes its row, its
audit entry and nothing twice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, is_district_admin
from zhibiao.api import api
from zhibiao.applications import services as applications
from zhibiao.applications.models import Application
from zhibiao.audit.models import AuditEntry
from zhibiao.core import workflow
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.supply import services as supply
from zhibiao.supply.models import Demand, DemandStatus, DemandStep

pytestmark = pytest.mark.django_db


def _staff(actor, demand) -> bool:
    return is_district_admin(actor)


def _enterprise(actor, demand) -> bool:
    return acts_for(actor) == demand.enterprise_id


def _refuse_when_asked(demand, data) -> None:
    if data.get("refuse"):
        raise TransitionRefused("refused by the check")


def _match_effect(demand, data) -> dict:
    return {"matched_at": timezone.now()}


SIDES = {"staff": _staff, "enterprise": _enterprise}

MATCH = workflow.Step(
    "match",
    (DemandStatus.POSTED,),
    DemandStatus.MATCHED,
    "Match",
    by="staff",
    check=_refuse_when_asked,
    effect=_match_effect,
)
CLOSE = workflow.Step(
    "close",
    (DemandStatus.POSTED, DemandStatus.MATCHED),
    DemandStatus.CANCELLED,
    "Close",
    by="enterprise",
    reason_required=True,
)
HIDDEN = workflow.Step(
    "hidden", (DemandStatus.POSTED,), DemandStatus.RATED, "Hidden", by="staff", internal=True
)

MACHINE = workflow.Machine(
    Demand,
    (MATCH, CLOSE, HIDDEN),
    sides=SIDES,
    history=DemandStep,
    history_link="demand",
    audit_prefix="tiny",
    restrict="view",
    wrong_state="“%(step)s” is not possible while the demand is “%(status)s”.",
    concurrent="Someone else changed it.",
    register=False,
)


@pytest.fixture
def world():
    enterprise = make_organisation()
    owner = make_user(Role.ENTERPRISE, enterprise)
    demand = Demand.objects.create(
        enterprise=enterprise, category="testing", description="检测", posted_by=owner
    )
    return {
        "admin": make_user(Role.ADMIN),
        "owner": owner,
        "stranger": make_user(Role.ENTERPRISE),
        "demand": demand,
    }


def test_a_step_from_a_wrong_state_is_refused_naming_step_and_state(world):
    demand = world["demand"]
    MACHINE.take(world["owner"], demand, "close", reason="不需要了")
    with pytest.raises(TransitionRefused) as refused:
        MACHINE.take(world["admin"], demand, "match")
    assert "Match" in str(refused.value)
    assert demand.get_status_display() in str(refused.value)
    assert not isinstance(refused.value, ConcurrentChange)
    assert DemandStep.objects.filter(demand=demand).count() == 1


def test_an_unknown_step_is_refused_by_name(world):
    with pytest.raises(TransitionRefused, match="teleport"):
        MACHINE.take(world["admin"], world["demand"], "teleport")


def test_who_may_not_act_is_denied_before_the_state_is_read(world):
    demand = world["demand"]
    with pytest.raises(PermissionDenied):  # sees it, but the step is the staff's
        MACHINE.take(world["owner"], demand, "match")
    with pytest.raises(PermissionDenied):  # does not even see it
        MACHINE.take(world["stranger"], demand, "close", reason="x")
    with pytest.raises(PermissionDenied):  # staff see it, but closing is the enterprise's
        MACHINE.take(world["admin"], demand, "close", reason="x")
    demand.refresh_from_db()
    assert (demand.status, demand.revision) == (DemandStatus.POSTED, 0)
    assert not DemandStep.objects.filter(demand=demand).exists()


def test_an_internal_step_is_taken_only_by_its_own_operation(world):
    """A form or the API names steps freely: an internal step is unknown to them."""
    with pytest.raises(TransitionRefused, match="hidden"):
        MACHINE.take(world["admin"], world["demand"], "hidden")
    with pytest.raises(TransitionRefused, match="offer"):  # the supply platform's own
        take(world["admin"], world["demand"], "offer")
    MACHINE.take(world["admin"], world["demand"], "hidden", internal=True)
    assert world["demand"].status == DemandStatus.RATED


def test_a_reason_is_required_where_the_step_says_so(world):
    with pytest.raises(ValidationError) as error:
        MACHINE.take(world["owner"], world["demand"], "close", reason="   ")
    assert "reason" in error.value.message_dict


def test_a_reason_is_bounded_for_every_caller(world):
    """The step forms stop at REASON_MAX; the API and a command go through the same `take`."""
    with pytest.raises(ValidationError) as error:
        MACHINE.take(
            world["owner"], world["demand"], "close", reason="长" * (workflow.REASON_MAX + 1)
        )
    assert "reason" in error.value.message_dict
    world["demand"].refresh_from_db()
    assert world["demand"].status == DemandStatus.POSTED
    MACHINE.take(world["owner"], world["demand"], "close", reason="长" * workflow.REASON_MAX)


def test_a_refused_check_writes_nothing(world):
    demand = world["demand"]
    with pytest.raises(TransitionRefused, match="refused by the check"):
        MACHINE.take(world["admin"], demand, "match", refuse=True)
    demand.refresh_from_db()
    assert (demand.status, demand.revision, demand.matched_at) == (DemandStatus.POSTED, 0, None)
    assert not AuditEntry.objects.filter(action__startswith="tiny.").exists()


def test_a_step_writes_one_history_row_and_one_audit_entry(world):
    demand = world["demand"]
    taken = MACHINE.take(world["admin"], demand, "match", reason="  电话沟通  ")
    assert taken is demand
    assert (demand.status, demand.revision) == (DemandStatus.MATCHED, 1)
    assert demand.matched_at is not None  # the effect's change
    (row,) = DemandStep.objects.filter(demand=demand)
    assert (row.action, row.from_status, row.to_status) == ("match", "posted", "matched")
    assert (row.actor, row.reason) == (world["admin"], "电话沟通")
    (entry,) = AuditEntry.objects.filter(action="tiny.match")
    assert entry.actor == world["admin"] and entry.target_id == str(demand.pk)
    assert entry.reason == "电话沟通"
    assert entry.data["from"] == "posted" and entry.data["to"] == "matched"
    assert "matched_at" in entry.data  # audit_changes is on by default


def test_of_two_racing_takes_exactly_one_wins(world):
    """Two people opened the same page: both hold the demand at revision 0."""
    first = Demand.objects.get(pk=world["demand"].pk)
    stale = Demand.objects.get(pk=world["demand"].pk)
    MACHINE.take(world["admin"], first, "match")
    with pytest.raises(ConcurrentChange):
        MACHINE.take(world["owner"], stale, "close", reason="不需要了")
    first.refresh_from_db()
    assert (first.status, first.revision) == (DemandStatus.MATCHED, 1)
    assert DemandStep.objects.filter(demand=first).count() == 1
    assert not AuditEntry.objects.filter(action="tiny.close").exists()


def test_available_lists_only_the_actors_steps_from_this_state(world):
    demand = world["demand"]

    def offered(actor):
        return [step.action for step in MACHINE.available(actor, demand)]

    assert offered(world["admin"]) == ["match"]  # "hidden" is internal
    assert offered(world["owner"]) == ["close"]
    assert offered(world["stranger"]) == []
    MACHINE.take(world["admin"], demand, "match")
    assert offered(world["admin"]) == []
    assert offered(world["owner"]) == ["close"]
    MACHINE.take(world["owner"], demand, "close", reason="不需要了")
    assert offered(world["owner"]) == []


def _tiny(steps, *, sides=SIDES, register=False) -> workflow.Machine:
    """A machine over the demand model for one test, not the model's own."""
    return workflow.Machine(
        Demand,
        steps,
        sides=sides,
        history=DemandStep,
        history_link="demand",
        audit_prefix="tiny",
        wrong_state="",
        concurrent="",
        register=register,
    )


def test_a_step_takes_its_sides_rule_unless_it_narrows_it(world):
    """A step names its side once; the side says who acts for it. A step with its own `may`
    (here: staff, but only the owner's account) is taken by that rule alone."""
    only_owner = workflow.Step(
        "close",
        (DemandStatus.POSTED,),
        DemandStatus.CANCELLED,
        "Close",
        by="staff",
        may=lambda actor, demand: actor == world["owner"],
    )
    machine = _tiny((MATCH, only_owner))
    demand = world["demand"]
    assert [s.action for s in machine.available(world["admin"], demand)] == ["match"]
    assert [s.action for s in machine.available(world["owner"], demand)] == ["close"]


def test_a_step_of_a_side_the_machine_does_not_know_is_an_error():
    with pytest.raises(ValueError, match="names no side"):
        _tiny((MATCH,), sides={"enterprise": _enterprise})


def test_a_step_declared_twice_is_an_error():
    with pytest.raises(ValueError, match="twice"):
        _tiny((MATCH, MATCH))


def test_each_model_has_one_machine_found_from_its_objects(world):
    assert workflow.machine_for(world["demand"]) is supply.MACHINE
    assert workflow.machine_for(Application()) is applications.MACHINE
    with pytest.raises(ValueError, match="already has"):
        _tiny((), register=True)
    with pytest.raises(LookupError):
        workflow.machine_for(world["admin"])
    # The supply platform's own steps, through the engine's entry points: the enterprise may
    # cancel a posted demand, staff too; "offer" is taken by choosing a candidate, never listed.
    assert [s.action for s in workflow.available(world["owner"], world["demand"])] == ["cancel"]
    assert [s.action for s in workflow.available(world["admin"], world["demand"])] == ["cancel"]
    workflow.take(world["owner"], world["demand"], "cancel", reason="不需要了")
    assert world["demand"].status == DemandStatus.CANCELLED
    assert AuditEntry.objects.filter(action="demand.cancel").count() == 1


def test_the_api_answers_a_refusal_and_a_concurrent_change_with_409():
    request = RequestFactory().post("/api/v1/")
    for error in (TransitionRefused("no"), ConcurrentChange("someone else")):
        response = api.on_exception(request, error)
        assert response.status_code == 409
