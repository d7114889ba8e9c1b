"""One engine for the platform's state machines: each machine a table, one way to take a step.

Why one engine: the applications, the demands, the bases and their applications, and the
registrations each grew their own step class, permission check, entry point, locking and
race error, a little differently each time. Here a machine only declares its steps; the
order of the checks, the locking, the history and the audit trail are written once.

Taking a step (`take`), in this order:

1. the step exists, else `TransitionRefused` ("Unknown step");
2. the actor may see the object (the machine's `restrict` action, usually "view", asked of
   the model's queryset through `zhibiao.core.permissions.ensure_can`) and may take this step
   (the step's `may`), else `PermissionDenied` (a 403; the views have already turned an
   invisible object into a 404);
3. the object is in one of the step's source states, else `TransitionRefused` naming the step
   and the state;
4. a reason is given if the step requires one, else a `ValidationError` on "reason";

then, in one transaction: the step's `check` (raises a refusal), its `effect` (returns field
changes; may write elsewhere, rolled back with the step; it also refuses a wrong input, a
missing amount or reference), a conditional update of the object on
its (status, revision) — of two racing actors exactly one matches, the other gets
`ConcurrentChange` —, one history row, one audit entry (`<prefix>.<action>`), the object
reloaded, and the machine's notify hook. `ConcurrentChange` is a `TransitionRefused`, so the
API answers both with 409.

A conditional update rather than `select_for_update` (which SQLite ignores): it behaves the
same on SQLite and PostgreSQL, and turns a step taken from a stale page into a clear refusal
instead of a silent overwrite.

Offering steps (`available`) asks the same questions without taking anything: the step is not
internal, the actor may take it, the object is in a source state, and its `check` passes. So a
page shows exactly the steps that would be accepted now (with valid input), never one the
server then refuses. That is why a `check` is a pure question about the object and its context:
it reads, never writes, and never reads the caller's input (which a page has not posted yet);
what validates the input belongs to the `effect`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.audit.services import record
from zhibiao.core.actors import Actor
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.permissions import can, ensure_can

#: The longest reason a step keeps (the step forms' limit): a page, the API and a command alike.
REASON_MAX = 2000


@dataclass(frozen=True)
class Step:
    """One step of a machine: from which states to which, who may take it, and what it does.

    `by` names the side that takes it ("staff", "enterprise", …); the machine's `sides` say
    who acts for each side, so a step names its side once and cannot name one side and test
    another. A step that narrows its side (only an enterprise's withdrawal before the review,
    only an expert without a conflict) gives its own `may(actor, obj)` instead.

    `check(obj, data)` raises a `TransitionRefused` when the step's own conditions on the object are
    not met; `available` runs it too, without taking the step, so it must not write and must read
    only the object and the machine's context, never the caller's input. `effect(obj, data)`
    validates the caller's input (a `ValidationError` on its field) and returns the field changes
    the step makes besides the status (it may also write other rows: it runs inside the step's
    transaction). `data` holds the machine's context, the caller's keyword arguments and the
    stripped `reason`. `done` is what the page says once the step is taken: what happens next
    ("Returned; waiting for the enterprise's correction"), a lazy text or a function of the object
    as the step left it (see `done_message`); without it, "Done.". An `internal` step is taken only
    by its own operation (choosing a candidate records the offer, then takes "offer"), which passes
    `internal=True`: `available` never offers it, and taken by name (from a form or the API) it is
    unknown.
    """

    action: str
    sources: tuple[str, ...]
    target: str
    label: Any
    by: str
    may: Callable[[Actor, Any], bool] | None = None
    reason_required: bool = False
    check: Callable[[Any, dict], None] | None = None
    effect: Callable[[Any, dict], dict] | None = None
    internal: bool = False
    done: Any = None


#: Each model's own machine, declared where its services live.
_MACHINES: dict[type[models.Model], Machine] = {}


class Machine:
    """The steps of one model, and how a step is recorded.

    `sides` maps each side a step may name in `by` to who acts for it (`may(actor, obj)`); a step
    without its own `may` takes its side's. `history` is the model of the step rows; `history_link`
    the name of its foreign key to the object. `wrong_state` and `concurrent` are the machine's own
    messages (written where the machine is declared, so that the catalogue keeps its words):
    `wrong_state` is formatted with `step` (the label) and `status` (the state's display); a machine
    whose refusals need more than that (the check-in desk says when a person was already checked in)
    gives `refusal(obj, step)`, which returns the `TransitionRefused` to raise instead (or None: the
    default). `restrict` names the action of the model's permission table
    (`zhibiao.core.permissions`) an actor needs to take any step at all, usually "view". `stamp`
    names fields set to now by every step (an `auto_now` field, which a queryset update does not
    touch). `audit_changes` puts the effect's changes in the audit entry; `audit(obj, step, data)`
    returns further fields for it, for a machine whose entries have always named things their own
    way (a base application's batch by its number, not its name), so that the trail reads as before.
    `context(obj)` gives what the steps read beside the object (the demand's current offer), once
    per step, into `data`, where a caller's value wins. `notify(obj, step, reason, data)` runs last,
    inside the transaction. A machine is the model's own (found by `take` and `available`) unless
    declared with `register=False`, as a test's machine over an existing model is.
    """

    def __init__(
        self,
        model: type[models.Model],
        steps: Iterable[Step],
        *,
        sides: Mapping[str, Callable[[Actor, Any], bool]],
        history: type[models.Model],
        history_link: str,
        audit_prefix: str,
        wrong_state: Any,
        concurrent: Any,
        restrict: str | None = None,
        status_field: str = "status",
        revision_field: str = "revision",
        stamp: tuple[str, ...] = (),
        audit_changes: bool = True,
        audit: Callable[[Any, Step, dict], dict] | None = None,
        notify: Callable[[Any, Step, str, dict], None] | None = None,
        context: Callable[[Any], dict] | None = None,
        refusal: Callable[[Any, Step], TransitionRefused | None] | None = None,
        register: bool = True,
    ) -> None:
        self.model = model
        self.steps: dict[str, Step] = {}
        for step in steps:
            if step.action in self.steps:
                raise ValueError(f"{model.__name__}: step {step.action!r} declared twice")
            if step.by not in sides:
                raise ValueError(f"{model.__name__}: step {step.action!r} names no side of {sides}")
            if step.may is None:
                step = replace(step, may=sides[step.by])
            self.steps[step.action] = step
        self.history = history
        self.history_link = history_link
        self.audit_prefix = audit_prefix
        self.wrong_state = wrong_state
        self.concurrent = concurrent
        self.restrict = restrict
        self.status_field = status_field
        self.revision_field = revision_field
        self.stamp = stamp
        self.audit_changes = audit_changes
        self.audit = audit
        self.notify = notify
        self.context = context
        self.refusal = refusal
        if register:
            if model in _MACHINES:
                raise ValueError(f"{model.__name__} already has a state machine")
            _MACHINES[model] = self

    def __repr__(self) -> str:
        return f"<Machine {self.model.__name__}: {', '.join(self.steps)}>"

    def step(self, action: str, *, internal: bool = False) -> Step:
        """The step named `action`, or a refusal naming it (a caller's typo or a forged form)."""
        step = self.steps.get(action)
        if step is None or (step.internal and not internal):
            raise TransitionRefused(gettext("Unknown step “%(action)s”.") % {"action": action})
        return step

    @staticmethod
    def allows(step: Step, actor: Actor, obj: models.Model) -> bool:
        """Whether the actor may take the step (its own `may`, or its side's)."""
        assert step.may is not None, "the machine gives every step its side's `may`"
        return step.may(actor, obj)

    def status_of(self, obj: models.Model) -> str:
        return getattr(obj, self.status_field)

    def available(self, actor: Actor, obj: models.Model) -> list[Step]:
        """The steps `take` would accept from this actor now (given valid input): not internal,
        the actor may see the object and take the step, the object is in a source state, and
        the step's own `check` passes. A page offers exactly these, so it never shows a button
        the server then refuses. The checks only read (see `Step`)."""
        if self.restrict is not None and not can(actor, self.restrict, obj):
            return []
        status = self.status_of(obj)
        candidates = [
            step
            for step in self.steps.values()
            if not step.internal and status in step.sources and self.allows(step, actor, obj)
        ]
        if not any(step.check for step in candidates):
            return candidates
        data = {**(self.context(obj) if self.context else {}), "reason": ""}
        return [step for step in candidates if self._passes(step, obj, data)]

    @staticmethod
    def _passes(step: Step, obj: models.Model, data: dict) -> bool:
        """Whether the step's own conditions hold now (its check, on a copy of the data)."""
        if step.check is None:
            return True
        try:
            step.check(obj, dict(data))
        except (TransitionRefused, PermissionDenied):
            return False
        return True

    def take(
        self,
        actor: Actor,
        obj: models.Model,
        action: str,
        *,
        reason: str = "",
        internal: bool = False,
        **data: Any,
    ) -> Any:
        """Take one step, or refuse it; of two racing takes exactly one succeeds. Returns the
        object, reloaded."""
        if self.restrict is not None:
            ensure_can(actor, self.restrict, obj)
        try:
            step = self.step(action, internal=internal)
        except TransitionRefused:
            # Only someone who may take a step here learns that a name is unknown (409);
            # anyone else is refused outright, so step names cannot be probed.
            if not any(self.allows(other, actor, obj) for other in self.steps.values()):
                raise PermissionDenied from None
            raise
        if not self.allows(step, actor, obj):
            raise PermissionDenied
        source = self.status_of(obj)
        if source not in step.sources:
            display = getattr(obj, f"get_{self.status_field}_display")()
            refusal = self.refusal(obj, step) if self.refusal is not None else None
            if refusal is not None:
                raise refusal
            raise TransitionRefused(str(self.wrong_state) % {"step": step.label, "status": display})
        reason = (reason or "").strip()
        if step.reason_required and not reason:
            raise ValidationError({"reason": gettext("Give a reason for this step.")})
        if len(reason) > REASON_MAX:  # the pages' forms and the API alike
            raise ValidationError(
                {
                    "reason": gettext("Write at most %(max)s characters (this has %(n)s).")
                    % {"max": REASON_MAX, "n": len(reason)}
                }
            )
        with transaction.atomic():
            data = {**(self.context(obj) if self.context else {}), **data, "reason": reason}
            if step.check:
                step.check(obj, data)
            changes = step.effect(obj, data) if step.effect else {}
            self._move(actor, obj, step, source, reason, changes, data)
            obj.refresh_from_db()
            if self.notify:
                self.notify(obj, step, reason, data)
        return obj

    def _move(
        self,
        actor: Actor,
        obj: models.Model,
        step: Step,
        source: str,
        reason: str,
        changes: Mapping[str, Any],
        data: dict | None = None,
    ) -> None:
        """The conditional update, the history row and the audit entry."""
        now = timezone.now()
        matched = self.model._default_manager.filter(
            pk=obj.pk,
            **{self.status_field: source, self.revision_field: getattr(obj, self.revision_field)},
        ).update(
            **{self.status_field: step.target, self.revision_field: F(self.revision_field) + 1},
            **dict.fromkeys(self.stamp, now),
            **changes,
        )
        if not matched:
            raise ConcurrentChange(str(self.concurrent))
        self.history._default_manager.create(
            **{self.history_link: obj},
            action=step.action,
            from_status=source,
            to_status=step.target,
            actor=actor,
            reason=reason,
        )
        extra = {k: str(v) for k, v in changes.items()} if self.audit_changes else {}
        if self.audit:
            extra.update(self.audit(obj, step, data or {}))
        record(
            actor,
            f"{self.audit_prefix}.{step.action}",
            obj,
            reason=reason,
            **{"from": source, "to": step.target},
            **extra,
        )


def machine_for(obj: models.Model) -> Machine:
    """The machine declared for the object's model (declared where its services live)."""
    try:
        return _MACHINES[type(obj)]
    except KeyError:
        raise LookupError(f"No state machine is declared for {type(obj).__name__}.") from None


def take(actor: Actor, obj: models.Model, action: str, *, reason: str = "", **data) -> Any:
    """Take the step `action` of the object's machine (see `Machine.take`)."""
    return machine_for(obj).take(actor, obj, action, reason=reason, **data)


def available(actor: Actor, obj: models.Model) -> list[Step]:
    """The steps of the object's machine this actor could take now (see `Machine.available`)."""
    return machine_for(obj).available(actor, obj)


def done_message(step: Step, obj: models.Model) -> str:
    """What a page says once `step` was taken on `obj` (as the step left it): the step's own
    `done` (a text, or a function of the object), else "Done."."""
    if step.done is None:
        return gettext("Done.")
    if callable(step.done):
        return str(step.done(obj))
    return str(step.done)


def status_field(
    choices: type[models.Choices], default: str, *, max_length: int = 20
) -> models.CharField:
    """The state of an object a machine moves, one of `choices`, starting at `default`; only a
    step changes it (add a `valid_choice` constraint so the database holds it too)."""
    return models.CharField(
        _("status"), max_length=max_length, choices=choices.choices, default=default
    )


def hold_status(
    obj: models.Model, statuses: Iterable[str], refusal: Any, *, field: str = "status"
) -> None:
    """Inside an edit's transaction (a draft's text, a file, a score): the object is still in
    one of `statuses`, and stays there until the edit commits.

    The edit was checked against the object as a page loaded it; a step may have moved it
    since (submitted, the review concluded). A no-op conditional update takes the row's lock,
    so a racing step either waits for the edit or the edit sees the new state and is refused
    (`ConcurrentChange`): nothing is written to an object that has left the states that allow
    it, and no step row is skipped."""
    held = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, **{f"{field}__in": list(statuses)})
        .update(**{field: F(field)})
    )
    if not held:
        raise ConcurrentChange(str(refusal))


def revision_field(*, editable: bool = True) -> models.PositiveIntegerField:
    """The counter every step of the object's machine bumps: a step is a conditional update on
    (status, revision), so of two people acting at once, or a step taken from a stale page, the
    second is refused rather than overwriting the first."""
    return models.PositiveIntegerField(_("revision"), default=0, editable=editable)


def status_fields(choices: type[models.Choices]) -> tuple[models.CharField, models.CharField]:
    """A step record's `from_status` and `to_status` with its model's states as choices, so that
    the history shows them by name (`get_to_status_display`)."""
    return (
        models.CharField(_("from"), max_length=20, choices=choices.choices),
        models.CharField(_("to"), max_length=20, choices=choices.choices),
    )


class StepRecord(models.Model):
    """The history row of a machine: who moved the object from which state to which, when and
    why. A concrete model adds the foreign key to its object (named as the machine's
    `history_link`, with the related name `steps`), its ordering, and, with `status_fields`, its
    states as the choices of `from_status` and `to_status`."""

    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        """The object, then the step: its link is the record's foreign key other than the actor."""
        link = next(
            field
            for field in self._meta.concrete_fields
            if field.many_to_one and field.name != "actor"
        )
        return f"{getattr(self, link.name)}: {self.from_status} → {self.to_status}"
