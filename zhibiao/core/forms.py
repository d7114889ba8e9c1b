"""Form helpers shared by the apps."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date picker, which phones show natively; the value stays YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(target, message)


def model_form_class(model, fields: list[str], *, name: str, widgets=None) -> type[forms.Form]:
    """A plain Form with the model's form fields; the service, not the form, validates the object.

    A ModelForm would write the cleaned data onto the instance before the service sees it, so
    the service could not tell what changed; a plain Form leaves the instance alone.
    """
    base_fields = forms.fields_for_model(model, fields=fields, widgets=widgets)
    return type(name, (forms.Form,), dict(base_fields))


def form_errors(form: forms.Form) -> ValidationError:
    """A bound form's errors as one ValidationError by field, for the API's 422 answer."""
    return ValidationError(
        {
            field: [error["message"] for error in errors]
            for field, errors in form.errors.get_json_data().items()
        }
    )


def error_message(error: Exception) -> str:
    """A refusal as one line, for a page's flash message or an htmx answer: a ValidationError's
    messages joined by the Chinese semicolon (the pages are read in Chinese), anything else as
    its text. One helper, so every page words a refused step the same way."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def form_error_message(form: forms.Form) -> str:
    """A bound form's errors as one line, field by field, worded as `error_message` words a
    service's refusal: for pages that answer a small form with a message, not the form again."""
    return error_message(form_errors(form))


class StepForm(forms.Form):
    """A step of a state machine as a page posts it: the step's name and the reason. A machine
    whose steps take more (an amount, a rating, a batch) extends it with those fields; every
    cleaned field goes to `zhibiao.core.workflow.take` (`zhibiao.core.steps.take_posted_step`)."""

    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
