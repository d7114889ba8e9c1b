"""What the pages and the API share about the state machines: a step posted from a page, and a
step record as the API shows it. The machines themselves are in `zhibiao.core.workflow`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from ninja import Field, Schema

from zhibiao.core.apischema import Payload
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.forms import StepForm, error_message, form_error_message
from zhibiao.core.workflow import available, done_message, machine_for, take


def take_posted_step(
    request: HttpRequest, obj: Any, form_class: type[StepForm] = StepForm
) -> HttpResponse:
    """Take the step a page's form posted (its cleaned fields are the step's data) and go back
    to the object's page, saying what happens next (the step's `done`, see
    `zhibiao.core.workflow.done_message`) or why it was refused."""
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect(obj)
    data = dict(form.cleaned_data)
    action = data.pop("action")
    return act_and_return(
        request,
        obj,
        lambda: take(request.user, obj, action, **data),
        done=lambda taken: done_message(machine_for(taken).steps[action], taken),
    )


def act_and_return(
    request: HttpRequest,
    obj: Any,
    action: Callable[[], Any],
    *,
    done: Callable[[Any], str] | str | None = None,
    form: forms.Form | None = None,
) -> HttpResponse:
    """Run a service call a page's small form asked for (a step, an upload, an offer) and go
    back to the object's page, with the refusal or, on success, `done` (a text, or a function
    of what the call returned) as a message; "Done." without it. `obj` is a model instance
    with `get_absolute_url`. Given the bound `form` the call reads, an invalid one goes back
    with its errors instead, and the call is not made."""
    if form is not None and not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect(obj)
    try:
        result = action()
    except (TransitionRefused, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        if callable(done):
            message = done(result)
        else:
            message = str(done) if done is not None else gettext("Done.")
        messages.success(request, message)
    return redirect(obj)


class StepOut(Schema):
    """One row of an object's history, as every API shows it."""

    action: str
    from_status: str
    to_status: str
    actor: str = Field(alias="actor.username")
    at: datetime.datetime
    reason: str


class NextStepsOut(Schema):
    """The base of an object's schema whose machine the reader may move: the steps they may take
    now (`available`), so that a client offers only those, as the page does."""

    next_steps: list[str]

    @staticmethod
    def resolve_next_steps(obj: Any, context: dict[str, Any]) -> list[str]:
        return [step.action for step in available(context["request"].auth, obj)]


class StepIn(Payload):
    """A step to take; an API whose steps take more extends it (under its own name)."""

    action: str
    reason: str = ""
