"""One permission verb: `restrict(user, action)` on each model's queryset.

Why one verb: the querysets grew six (`visible_to`, `managed_by`, `editable_by`, `of`,
`private_visible_to`, `listed`) and some thirty places re-asked them inline as
`X.objects.<verb>(user).filter(pk=obj.pk).exists()`, each spelled a little differently. Now a
model's queryset derives from `RestrictedQuerySet` and declares its `actions`, a table from an
action's name to the method that filters the objects a user may take it on. The rule is written
once, there, and asked three ways:

- `X.objects.restrict(user, "view")`: the objects the user may take the action on (lists,
  prefetches, subqueries, `get_object_or_404`);
- `X.objects.get_for(user, "change", pk)`: one object for a page or an endpoint; `Http404` when
  the user may not even see it (as another organisation's object is hidden), `PermissionDenied`
  (403) when they may see it but not take the action. The pages and endpoints that have always
  answered 404 for both (editing another's organisation, an event one does not host: the
  matrix in tests/permissions pins it) keep `get_object_or_404(X.objects.restrict(user,
  "change"), pk=pk)`;
- `can(actor, "manage", obj)` and `ensure_can(actor, "manage", obj)`: for services and pages'
  flags; `ensure_can` raises `PermissionDenied`.

The actions are named after what the old verbs meant: "view" (see it at all), "view_private"
(its non-public part), "change" (edit it), "manage" (run it: an event's registrations, a base,
an offering), "act" (a registration its registrant answers for). Every model declares "view",
even when it is public (a rule returning the whole queryset), so that a table lost in a merge
fails loudly instead of showing everything: asking for an action the model does not declare is
a programming error (`LookupError`), not a refusal.

core sits below accounts, so the rules themselves (which read roles) stay on the apps' querysets;
this module only dispatches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from zhibiao.core.actors import Actor

VIEW = "view"


class RestrictedQuerySet(models.QuerySet):
    """A queryset that answers `restrict(user, action)` from its model's table of actions.

    A subclass defines one method per rule, taking the user and returning the filtered
    queryset, and names them in `actions`: ``actions = {"view": _visible_to}``.
    """

    #: Each rule is a method of the subclass: (queryset, user) → the queryset it may act on.
    actions: ClassVar[Mapping[str, Callable[[Any, Any], Any]]] = {}

    def restrict(self, user: Actor | None, action: str = VIEW) -> Self:
        """The objects of this queryset on which `user` may take `action`."""
        rule = self.actions.get(action)
        if rule is None:
            raise LookupError(f"{self.model.__name__} declares no permission action {action!r}")
        return rule(self, user)

    def allows(self, user: Actor | None, action: str, pk: Any) -> bool:
        """Whether `user` may take `action` on the object with this primary key."""
        return self.restrict(user, action).filter(pk=pk).exists()

    def get_for(self, user: Actor | None, action: str = VIEW, pk: Any = None, **lookup: Any):
        """The one object (by `pk` or other `lookup`) for a page or an endpoint.

        `Http404` if it does not exist or the user may not see it, so that another
        organisation's object is not even confirmed to exist; `PermissionDenied` if they may
        see it but not take `action` on it.
        """
        if pk is not None:
            lookup["pk"] = pk
        try:
            obj = self.restrict(user, VIEW).get(**lookup)
        except self.model.DoesNotExist:
            raise Http404(f"No {self.model._meta.object_name} matches the given query.") from None
        if action != VIEW and not self.allows(user, action, obj.pk):
            raise PermissionDenied
        return obj


def _queryset_of(obj: models.Model) -> RestrictedQuerySet:
    queryset = type(obj)._default_manager.all()
    if not isinstance(queryset, RestrictedQuerySet):
        raise TypeError(f"{type(obj).__name__}'s queryset declares no permission actions")
    return queryset


def can(actor: Actor | None, action: str, obj: models.Model) -> bool:
    """Whether `actor` may take `action` on `obj`, by the rule of its model's queryset."""
    return _queryset_of(obj).allows(actor, action, obj.pk)


def ensure_can(actor: Actor | None, action: str, obj: models.Model) -> None:
    """Raise `PermissionDenied` (403) unless `actor` may take `action` on `obj`."""
    if not can(actor, action, obj):
        raise PermissionDenied
