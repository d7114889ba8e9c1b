"""The enterprise's statement for the committee: prefilled from its records, written while the
application is a draft or returned, kept when refused, and the same rules in page and API."""

import pytest
from django.urls import reverse

from tests.applications.conftest import quick_application, submit_with_evidence
from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.applications.models import Application
from zhibiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_statement_is_prefilled_from_the_records(people):
    application = quick_application(people)
    assert application.statement.startswith("上海贤达精密机械有限公司")
    assert application.version.title in application.statement
    assert str(application.amount_assessed) in application.statement
    page = client_for(people["enterprise"]).get(application.get_absolute_url()).content.decode()
    assert 'name="statement"' in page and application.version.title in page


def test_the_owner_writes_it_while_a_draft(people):
    application = quick_application(people)
    url = reverse("applications:statement", args=[application.pk])
    response = client_for(people["enterprise"]).post(
        url, {"statement": "  我们主导起草了该国家标准。 "}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.statement == "我们主导起草了该国家标准。"
    assert AuditEntry.objects.filter(action="application.statement").count() == 1


def test_who_may_write_it(people, users, client):
    application = quick_application(people)
    url = reverse("applications:statement", args=[application.pk])
    before = Application.objects.get(pk=application.pk).statement
    assert client.post(url, {"statement": "x"}).status_code == 302  # to sign in
    other = make_user(Role.ENTERPRISE, users["enterprise"].organisation)
    assert client_for(other).post(url, {"statement": "x"}).status_code == 404  # not theirs
    assert client_for(people["expert"]).post(url, {"statement": "x"}).status_code == 404
    assert Application.objects.get(pk=application.pk).statement == before
    assert client_for(people["admin"]).post(url, {"statement": "由工作人员代填"}).status_code == 302
    assert Application.objects.get(pk=application.pk).statement == "由工作人员代填"


def test_too_long_is_named_and_the_text_is_kept(people):
    application = quick_application(people)
    url = reverse("applications:statement", args=[application.pk])
    text = "长" * 5001
    response = client_for(people["enterprise"]).post(url, {"statement": text})
    assert response.status_code == 400
    assert response.context["statement_form"].errors["statement"]
    assert text in response.content.decode()  # nothing the user typed is lost
    assert Application.objects.get(pk=application.pk).statement != text


def test_after_submitting_it_is_read_only(people):
    application = quick_application(people)
    submit_with_evidence(people, application)
    url = reverse("applications:statement", args=[application.pk])
    response = client_for(people["enterprise"]).post(url, {"statement": "改"}, follow=True)
    assert "申报说明只能在提交前修改" in response.content.decode()
    assert Application.objects.get(pk=application.pk).statement != "改"
    page = client_for(people["enterprise"]).get(application.get_absolute_url()).content.decode()
    assert 'name="statement"' not in page


def test_the_api_writes_it_with_the_same_rules(people, users):
    application = quick_application(people)
    url = f"/api/v1/applications/{application.pk}/statement"
    own = token_client(people["enterprise"])
    response = own.put(url, {"statement": "接口填写"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["statement"] == "接口填写"
    too_long = own.put(url, {"statement": "长" * 5001}, content_type="application/json")
    assert too_long.status_code == 422 and too_long.json()["errors"]["statement"]
    other = token_client(make_user(Role.ENTERPRISE, users["enterprise"].organisation))
    assert other.put(url, {"statement": "x"}, content_type="application/json").status_code == 404
    submit_with_evidence(people, application)
    late = own.put(url, {"statement": "x"}, content_type="application/json")
    assert late.status_code == 409
