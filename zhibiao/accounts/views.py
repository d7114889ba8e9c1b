"""Sign-in, passwords and API tokens (the workbench is in zhibiao.portal)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhibiao.accounts import services
from zhibiao.accounts.models import ApiToken
from zhibiao.accounts.permissions import role_required


def password_of(request: HttpRequest | None, user, password: str) -> bool:
    """Whether `password` is the signed-in `user`'s, checked as a sign-in checks it (through
    `authenticate`), so that django-axes counts each wrong one against this user name and
    address and locks the pair out as the sign-in page does. Checked directly, it could be
    guessed without limit by whoever holds a session (a computer left signed in, a stolen
    cookie). For every page that asks a signed-in user for their password."""
    if not user.is_authenticated:
        return False
    checked = authenticate(request, username=user.get_username(), password=password)
    return checked is not None and checked.pk == user.pk


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it."))
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Left empty, the token expires after 90 days."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # A token outlives the session that makes it (up to a year, against the session's day):
    # made on the session's word alone, a session left open or stolen would become a key for a
    # year that no password change revokes. So the password is asked, and checked as a sign-in
    # is (throttled by django-axes, see ThrottledPasswordChangeForm).
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = getattr(self.request, "user", None)
        if user is None or not password_of(self.request, user, password):
            raise forms.ValidationError(gettext("Your password is not correct."))
        return password

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value and value <= timezone.localdate():
            raise forms.ValidationError(gettext("Choose a date after today."))
        latest = timezone.localdate() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS - 1)
        if value and value > latest:
            raise forms.ValidationError(
                gettext("A token lasts at most %(days)s days; choose an earlier date.")
                % {"days": settings.API_TOKEN_MAX_DAYS}
            )
        return value


@never_cache  # the page shows a new key once: no cache may show it again
@role_required()
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, request=request)
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))
            if expires_on
            else None
        )
        _token, new_key = services.create_token(
            request.user, name=form.cleaned_data["name"], expires_at=expires_at
        )
        form = TokenForm(request=request)
    return _tokens_page(request, form, new_key=new_key)


def _tokens_page(
    request: HttpRequest, form: TokenForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The tokens page: the form, the user's tokens, and what the caller adds (a new key shown
    once, or why making one is locked for now)."""
    context = {"form": form, "tokens": ApiToken.objects.filter(user=request.user), **extra}
    return render(request, "accounts/tokens.html", context, status=status)


@role_required()
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, gettext("The token was revoked."))
    return redirect("accounts:tokens")


def locked_out(
    request: HttpRequest, credentials: dict | None = None, *args, **kwargs
) -> HttpResponse:
    """What django-axes answers while a user name is locked out from an address: the sign-in
    page again, saying why and for how long (status 429), the password not even checked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = gettext(
        "Too many wrong passwords for this user name: signing in is locked for %(minutes)s "
        "minutes. An administrator can unlock it sooner."
    ) % {"minutes": minutes}
    # Passwords guessed on the pages that ask a signed-in user for theirs (changing it, making
    # a token) count as sign-ins do: the user stays on that page, told why it refuses for now.
    if request.user.is_authenticated and request.path == reverse("accounts:password_change"):
        context = {"form": PasswordChangeForm(request.user), "locked_message": message}
        return render(request, "accounts/password_change.html", context, status=429)
    if request.user.is_authenticated and request.path == reverse("accounts:tokens"):
        return _tokens_page(request, TokenForm(request=request), locked_message=message, status=429)
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "locked_message": message, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=429)


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is checked as a sign-in checks it (`password_of`): checked directly
    (Django's form), it could be guessed without limit, and whoever guessed it would keep the
    account after the session ends."""

    def __init__(self, user, *args, request: HttpRequest | None = None, **kwargs) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not password_of(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the old one first); the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("portal:workbench")
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        services.change_password(self.request.user, form)
        update_session_auth_hash(self.request, form.user)  # this session stays signed in
        messages.success(self.request, gettext("Your password was changed."))
        return redirect(self.get_success_url())
