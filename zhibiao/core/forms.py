"""Form helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages as django_messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import BLANK_CHOICE_DASH
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.errors import ConcurrentChange
from zhibiao.core.tabular import ImportFailed
from zhibiao.core.uploads import UploadError
from zhibiao.core.workflow import REASON_MAX

#: The label Django gives a select's empty choice, for model fields and ModelChoiceField alike.
DJANGO_BLANK_LABEL = BLANK_CHOICE_DASH[0][1]


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), with every select's empty choice worded
    for people: "请选择" instead of Django's "---------".

    Done here, where every widget of every form is drawn (the admin's too), rather than form by
    form: a model field's choices and a ModelChoiceField each bring their own dashes, and a new
    form would bring them back. A select that names its empty choice itself ("All towns", as the
    filters do) keeps its label."""

    def render(self, template_name: str, context: dict, request: HttpRequest | None = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict):
            for _group, options, _index in widget.get("optgroups", ()):
                for option in options:
                    if option["value"] in ("", None) and option["label"] == DJANGO_BLANK_LABEL:
                        option["label"] = gettext("Please choose")
        return super().render(template_name, context, request)


class DateInput(forms.DateInput):
    """The browser's date picker, which phones show natively; the value stays YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ImportFileForm(forms.Form):
    """The upload form of an all-or-nothing import (see `imported` and `_import.html`): one
    file; a subclass says in `columns` which formats and headings the file may have."""

    columns: Any = ""
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.columns


def yuan_field(label: Any, *, max_digits: int) -> forms.DecimalField:
    """An optional amount of money in yuan, to the fen, never negative."""
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=max_digits, decimal_places=2
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(target, message)


@contextmanager
def service_errors_on(form: forms.Form) -> Iterator[None]:
    """Run a form's service in this block: if the service refuses the input (ValidationError),
    the block stops there, its reasons go onto the form (`add_service_errors`) and the view goes
    on to show the form again; otherwise the block's own return (a redirect) answers. The
    try/except/else every form view wrote around its service, said once."""
    try:
        yield
    except ValidationError as error:
        add_service_errors(form, error)


def model_form_class(model, fields: list[str], *, name: str, widgets=None) -> type[forms.Form]:
    """A plain Form with the model's form fields; the service, not the form, validates the object.

    A ModelForm would write the cleaned data onto the instance before the service sees it, so
    the service could not tell what changed; a plain Form leaves the instance alone.
    """
    base_fields = forms.fields_for_model(
        model, fields=fields, widgets=widgets, formfield_callback=_bounded_formfield
    )
    return type(name, (forms.Form,), dict(base_fields))


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's many-to-many choice, with ids a database can hold: it checks the posted ids
    with `pk__in`, which Django does not guard as it guards `exact`, so '9' * 30 overflowed
    SQLite's integer inside `is_valid()` (a server error). Such an id is no choice."""

    def clean(self, value):
        model = self.queryset.model if self.queryset is not None else None
        if model is not None and isinstance(model._meta.pk, models.IntegerField):
            for pk in value if isinstance(value, (list, tuple)) else ():
                if whole_number(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


def _bounded_formfield(field, **kwargs):
    if isinstance(field, models.ManyToManyField):
        return field.formfield(form_class=BoundedModelMultipleChoiceField, **kwargs)
    return field.formfield(**kwargs)


#: The largest whole number a form's text may stand for: what every database column holds.
WHOLE_NUMBER_MAX = 2**63 - 1


def whole_number(text: str | None, *, maximum: int = WHOLE_NUMBER_MAX) -> int | None:
    """A non-negative whole number as a page posts it (an id, a revision, a percent), or None.

    ASCII digits only: `str.isdigit()` also accepts "²" and "١", which `int()` then refuses
    (a server error), and an unbounded number overflows the database's integer. So a page
    reads every number a user could have edited through this, not `isdigit()` and `int()`."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= maximum else None


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


def prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    """One row's refusal keyed for the whole: `<prefix>.<field>`, and `<prefix>` for what names
    no field. A service checking many rows at once (scores, indicators, drafts, attendees) says
    every row's errors in one ValidationError; a page puts each back on its row (`by_row`)."""
    if not hasattr(error, "error_dict"):
        return {prefix: list(error.messages)}
    return {
        prefix if field == NON_FIELD_ERRORS else f"{prefix}.{field}": messages
        for field, messages in error.message_dict.items()
    }


def by_row(
    error: ValidationError, prefix: str = ""
) -> tuple[dict[str, dict[str, list[str]]], dict[str, list[str]]]:
    """The inverse of `prefixed`: the errors keyed `[<prefix>.]<row>[.<field>]` (a row named
    without a dot: its number) as {row: {field: messages}}, NON_FIELD_ERRORS for a row's own;
    and the others by their key."""
    rows: dict[str, dict[str, list[str]]] = {}
    rest: dict[str, list[str]] = {}
    lead = f"{prefix}." if prefix else ""
    messages_by_key = error.message_dict if hasattr(error, "error_dict") else {}
    if not messages_by_key:
        rest[NON_FIELD_ERRORS] = list(error.messages)
    for key, messages in messages_by_key.items():
        if not key.startswith(lead) or key in (lead, NON_FIELD_ERRORS):
            rest[key] = messages
            continue
        row, _dot, field = key[len(lead) :].partition(".")
        rows.setdefault(row, {}).setdefault(field or NON_FIELD_ERRORS, []).extend(messages)
    return rows, rest


def put_on_rows(
    error: ValidationError, prefix: str, rows: Mapping[str, forms.Form]
) -> dict[str, list[str]]:
    """Put each row's errors (`<prefix>.<row>[.<field>]`, `by_row`) on the form shown for that
    row, by field where it has it. What belongs to no row shown (a row the page does not show,
    the rows as a whole under `prefix`, other fields) is returned by key, a row's and the whole's
    under NON_FIELD_ERRORS, for the page to show above the rows."""
    found, rest = by_row(error, prefix)
    whole = list(rest.pop(prefix, []))
    for number, fields in found.items():
        form = rows.get(number)
        if form is None:
            whole.extend(m for messages in fields.values() for m in messages)
            continue
        for field, messages in fields.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    if whole:
        rest.setdefault(NON_FIELD_ERRORS, []).extend(whole)
    return rest


def form_error_message(form: forms.Form) -> str:
    """A bound form's errors as one line, field by field, worded as `error_message` words a
    service's refusal: for pages that answer a small form with a message, not the form again."""
    return error_message(form_errors(form))


def seen_revision() -> forms.IntegerField:
    """The hidden field of an edit page that carries the revision of the row it showed, for a
    service's `seen` (`submitted(..., seen="revision")`): a save from a stale page is refused
    instead of writing back the values that page still showed."""
    return forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=WHOLE_NUMBER_MAX
    )


def submitted(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[..., Any],
    done: str,
    *,
    changed_only: bool = False,
    seen: str | None = None,
) -> Any:
    """A page's form posted to a service: when the request posts a valid form, call `save` with
    its cleaned data (`changed_only`: only the fields the user changed, for an edit); a
    service's refusal goes onto the form, a success is flashed as `done`. Answers what `save`
    returned (the record saved), or None when the page must show the form again.

    `seen` names the hidden field that says which state of the row the page showed (its
    revision, or when it was last saved): it goes to `save` as `seen=`, never as a change. A
    save refused because the row changed since (`ConcurrentChange`) shows the form again with
    what was typed and the refusal above it.

    One spelling for what every create and edit page did in nine lines, so each page says only
    which service it calls and where it goes next."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    extra = {"seen": data.pop(seen)} if seen else {}
    if changed_only:
        data = {name: data[name] for name in form.changed_data if name in data}
    try:
        saved = save(data, **extra)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    except ConcurrentChange as error:  # a colleague saved meanwhile: keep what was typed
        form.add_error(None, str(error))
        return None
    django_messages.success(request, done)
    return saved


def imported(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[Any], Any],
    done: Callable[[Any], str],
) -> tuple[Any, bool]:
    """An all-or-nothing import page's POST: when the form is valid, `run` the import on the
    uploaded file; an unreadable file goes onto the form, a refused file's result (its errors
    by row) is answered for the page to list, a success is flashed as `done(result)`.

    Answers (the import's result or None, whether it saved): the page redirects when it
    saved and otherwise shows the form again with the result (see `_import.html`)."""
    if request.method != "POST" or not form.is_valid():
        return None, False
    try:
        result = run(form.cleaned_data["file"])
    except UploadError as error:
        form.add_error("file", str(error))
        return None, False
    except ImportFailed as failure:
        return failure.result, False
    django_messages.success(request, done(result))
    return result, True


class StepForm(forms.Form):
    """A step of a state machine as a page posts it: the step's name and the reason. A machine
    whose steps take more (an amount, a rating, a batch) extends it with those fields; every
    cleaned field goes to `zhibiao.core.workflow.take` (`zhibiao.core.steps.take_posted_step`)."""

    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=REASON_MAX,
    )
