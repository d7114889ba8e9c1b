"""A declaration's status moves only along its machine: withdrawn only when public, each step
recorded, a step from a stale copy refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from zhibiao.audit.models import AuditEntry
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.standards import services
from zhibiao.standards.models import Declaration, DeclarationStatus

pytestmark = pytest.mark.django_db

DECLARATION = {"product": "跑步机", "standards": "GB/T 42061-2022", "statement": "我们声明。"}


def test_withdraw_only_a_public_declaration(small_catalogue, users):
    enterprise = users["enterprise"]
    declaration = services.save_declaration(enterprise, DECLARATION)
    with pytest.raises(TransitionRefused):
        services.withdraw_declaration(enterprise, declaration)
    with pytest.raises(PermissionDenied):
        services.publish_declaration(users["chamber"], declaration)
    services.publish_declaration(enterprise, declaration)
    stale = Declaration.objects.get(pk=declaration.pk)
    services.withdraw_declaration(enterprise, declaration)
    assert declaration.status == DeclarationStatus.WITHDRAWN
    with pytest.raises(ConcurrentChange):
        services.withdraw_declaration(enterprise, stale)
    assert [(s.action, s.from_status, s.to_status) for s in declaration.steps.all()] == [
        ("publish", "draft", "published"),
        ("withdraw", "published", "withdrawn"),
    ]
    assert AuditEntry.objects.filter(action="declaration.withdraw").count() == 1


def test_correcting_a_stale_copy_keeps_the_status(small_catalogue, users):
    enterprise = users["enterprise"]
    declaration = services.save_declaration(enterprise, DECLARATION)
    stale = Declaration.objects.get(pk=declaration.pk)
    services.publish_declaration(enterprise, declaration)
    services.save_declaration(enterprise, {**DECLARATION, "product": "新名"}, stale)
    assert Declaration.objects.get(pk=declaration.pk).status == DeclarationStatus.PUBLISHED


def test_publishing_a_public_declaration_says_so(small_catalogue, users):
    enterprise = users["enterprise"]
    declaration = services.publish_declaration(
        enterprise, services.save_declaration(enterprise, DECLARATION)
    )
    with pytest.raises(TransitionRefused) as refused:
        services.publish_declaration(enterprise, declaration)
    assert str(refused.value) == "该声明已经公开。"
    with pytest.raises(TransitionRefused) as refused:
        services.withdraw_declaration(
            enterprise, services.withdraw_declaration(enterprise, declaration)
        )
    assert "撤回" in str(refused.value)
