"""The site's frame (templates/base.html and the shared form templates): the menu leads each role
only to pages it may open and marks the page shown; the error pages answer in the frame with a
way back; the language button names the other language in that language; selects offer
"请选择", not dashes; a help text carries the id its input refers to."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils.translation import gettext

from tests import factories
from tests.clients import client_for
from zhibiao import urls as site_urls
from zhibiao.accounts.models import User
from zhibiao.core.forms import model_form_class
from zhibiao.dashboard import services as dashboard
from zhibiao.dashboard.scope import Scope
from zhibiao.directory.models import Organisation

pytestmark = pytest.mark.django_db


def _refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# The site's URLs and error handlers, and two pages that fail on purpose (see `error_urls`).
urlpatterns = [
    *site_urls.urlpatterns,
    path("test/refused/", _refused),
    path("test/broken/", _broken),
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


@pytest.fixture
def everyone(users) -> dict[str, User]:
    return {
        **users,
        "base_manager": factories.BaseManagerFactory(),
        "department": factories.DepartmentUserFactory(),
    }


def _nav(body: str) -> str:
    match = re.search(r'<nav class="site-nav".*?</nav>', body, re.S)
    assert match, "the page has no main menu"
    return match.group(0)


def _menu(body: str) -> list[tuple[str, str, bool]]:
    """The menu's entries as (address, label, marked as the page shown)."""
    entries = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)', _nav(body))
    return [(href, label.strip(), bool(current)) for href, current, label in entries]


# Error pages ------------------------------------------------------------------------------


def test_404_in_the_frame_with_a_way_back(error_urls):
    client = Client(headers={"referer": "http://testserver/events/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<header class="site-header">' in body and '<main id="main"' in body
    assert gettext("Page not found") in body
    assert 'href="http://testserver/events/"' in body  # back where one came from
    assert 'href="/"' in body
    assert "/accounts/login/?next=/no-such-page/" in body  # anonymous: records may need signing in


def test_an_other_sites_referrer_is_no_way_back(error_urls):
    body = Client(headers={"referer": "https://elsewhere.example/"}).get("/nope/").content.decode()
    assert "elsewhere.example" not in body
    assert gettext("Back to the previous page") not in body


def test_403_names_the_role_and_whom_to_ask(error_urls, enterprise_user):
    response = client_for(enterprise_user).get("/dashboard/")
    assert response.status_code == 403
    body = response.content.decode()
    assert '<header class="site-header">' in body
    assert gettext("Your account may not open this page") in body
    assert str(enterprise_user.get_role_display()) in body
    assert gettext("Go to my workbench") in body


def test_403_asks_the_anonymous_to_sign_in(error_urls):
    response = Client().get("/test/refused/")
    assert response.status_code == 403
    body = response.content.decode()
    assert gettext("Sign in to open this page") in body
    assert "/accounts/login/?next=/test/refused/" in body


def test_400_in_the_frame(error_urls):
    response = Client().get("/", headers={"host": "not-our-host.example"})
    assert response.status_code == 400
    body = response.content.decode()
    assert gettext("The request could not be understood") in body
    assert '<main id="main"' in body


def test_500_stands_alone(error_urls):
    client = Client(raise_request_exception=False)
    response = client.get("/test/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert gettext("Something went wrong on the server") in body
    assert '<html lang="zh-hans">' in body
    assert 'href="/"' in body


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_500_renders_without_the_static_manifest(error_urls, settings, tmp_path):
    """A server whose static files were not collected still says what happened."""
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path  # empty: no manifest
    response = Client(raise_request_exception=False).get("/test/broken/")
    assert response.status_code == 500
    assert gettext("Something went wrong on the server") in response.content.decode()
    assert 'href="/static/zhibiao/site.css"' in response.content.decode()


def test_an_api_path_gets_the_envelope_not_a_page(error_urls, settings, tmp_path):
    """An API path the resolver does not match (schemathesis sends `null,null` for an id) is
    answered with the JSON envelope, never by rendering the site's frame."""
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path
    response = Client(raise_request_exception=False).get("/api/v1/applications/null%2Cnull")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == gettext("Not found.")


def test_csrf_failure_explains_what_to_do(error_urls, enterprise_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert gettext("The form was not sent") in body
    assert '<header class="site-header">' in body
    assert "CSRF verification failed" not in body  # not Django's English page


# The menu ---------------------------------------------------------------------------------


def test_every_menu_entry_opens_for_its_role(everyone):
    for role, user in [("anonymous", None), *everyone.items()]:
        client = client_for(user)
        for href, label, _current in _menu(client.get("/").content.decode()):
            status = client.get(href).status_code
            assert status == 200, f"{role}: {label} ({href}) answers {status}"


def test_each_policy_task_has_one_entry(everyone):
    def labels(user):
        return [label for _h, label, _c in _menu(client_for(user).get("/").content.decode())]

    documents, clauses = gettext("Policy documents"), gettext("Support clauses")
    mine = gettext("My policies")
    for user in (everyone["enterprise"], everyone["base_manager"]):
        assert documents in labels(user) and mine in labels(user)
        assert clauses not in labels(user)
    for user in (None, everyone["admin"], everyone["expert"], everyone["chamber"]):
        assert documents in labels(user) and clauses in labels(user)
        assert mine not in labels(user)


@pytest.mark.parametrize(
    ("address", "entry"),
    [
        ("/policies/", "/policies/"),
        ("/measures/", "/measures/"),
        ("/accounts/workbench/", "/accounts/workbench/"),
        ("/events/", "/events/"),
        ("/", None),
    ],
)
def test_the_page_shown_is_marked(admin_user, address, entry):
    current = [h for h, _l, c in _menu(client_for(admin_user).get(address).content.decode()) if c]
    assert current == ([entry] if entry else [])


def test_my_policies_is_marked_on_its_page(enterprise_user):
    body = client_for(enterprise_user).get("/measures/mine/").content.decode()
    assert [h for h, _l, c in _menu(body) if c] == ["/measures/mine/"]


def test_language_button_names_the_other_language_in_it(db):
    client = Client()
    assert re.search(r'value="en"[^>]*>English</button>', client.get("/").content.decode())
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert re.search(r'value="zh-hans"[^>]*>中文</button>', client.get("/").content.decode())


# The expert's dashboard ---------------------------------------------------------------------


def test_expert_dashboard_links_only_to_pages_the_expert_opens(expert_user, admin_user):
    client = client_for(expert_user)
    body = client.get("/dashboard/").content.decode()
    links = re.findall(r'class="figure-card figure-card--link" href="([^"]+)"', body)
    assert links
    for link in {link.replace("&amp;", "&") for link in links}:
        assert client.get(link).status_code == 200, link
    # The figures themselves stay; only the administrators' lists are not linked.
    shown = dashboard.figures(Scope(), viewer=expert_user)
    for_admin = dashboard.figures(Scope(), viewer=admin_user)
    expert_links = {f.indicator.code: f.link for rows in shown.values() for f in rows}
    admin_links = {f.indicator.code: f.link for rows in for_admin.values() for f in rows}
    assert expert_links.keys() == admin_links.keys()
    assert expert_links["enterprises_entitled"] == ""
    assert admin_links["enterprises_entitled"] == "/measures/screenings/"


# Forms --------------------------------------------------------------------------------------


def test_selects_offer_please_choose_not_dashes(db):
    form_class = model_form_class(User, ["role", "organisation"], name="RoleForm")
    html = str(form_class())
    assert "---------" not in html
    assert html.count(f'<option value="" selected>{gettext("Please choose")}</option>') == 2


def test_filters_keep_their_own_empty_label(db):
    class Filter(forms.Form):
        town = forms.ChoiceField(choices=[("", "All towns"), ("a", "A")], required=False)

    assert '<option value="" selected>All towns</option>' in str(Filter()["town"])


def test_help_texts_and_errors_carry_the_ids_their_inputs_refer_to(db):
    class Form(forms.Form):
        name = forms.CharField(help_text="As on the licence.")
        town = forms.ModelChoiceField(Organisation.objects.all(), help_text="Where it is.")

    html = render_to_string("_form.html", {"form": Form(data={})})
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    referred = {ref for refs in described for ref in refs.split()}
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert referred == {"id_name_helptext", "id_name_error", "id_town_helptext", "id_town_error"}
    assert referred <= ids
