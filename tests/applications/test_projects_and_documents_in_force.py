"""What a clause grants depends on its project and its document: a clause paid per project
needs the project, and the clauses of an unpublished or expired document grant nothing and the
unpublished ones are not public."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.clients import client_for
from zhibiao.applications import services
from zhibiao.applications.models import Application
from zhibiao.measures.models import Clause
from zhibiao.measures.services import explain_enterprise
from zhibiao.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db


def test_a_clause_paid_per_project_needs_the_project(people):
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    with pytest.raises(ValidationError) as refused:
        services.start_application(people["enterprise"], people["xianda"], clause, project="")
    assert "project" in refused.value.message_dict
    assert not Application.objects.filter(enterprise=people["xianda"], clause=clause).exists()


def test_the_clauses_of_an_unpublished_document_are_not_public(people):
    clause = Clause.objects.get(code="FX23-BRAND")
    document = clause.rulebook.document
    assert client_for(None).get(clause.get_absolute_url()).status_code == 200
    PolicyDocument.objects.filter(pk=document.pk).update(is_published=False)
    assert client_for(None).get(clause.get_absolute_url()).status_code == 404
    assert client_for(None).get("/api/v1/measures/clauses").json()["count"] == 0
    assert client_for(people["admin"]).get(clause.get_absolute_url()).status_code == 200


def test_an_expired_document_grants_nothing(people):
    entitled = [r for _book, e in explain_enterprise(people["xianda"]) for r in e.results]
    assert any(r.entitled for r in entitled)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    PolicyDocument.objects.filter(rulebook__isnull=False).update(effective_to=yesterday)
    assert explain_enterprise(people["xianda"]) == []
