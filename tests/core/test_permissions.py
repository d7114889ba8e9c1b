"""The one permission verb (zhibiao/core/permissions.py) on real models: an organisation's
register entry is seen by everyone signed in, changed only by those who act for it, and its
people are private to it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from tests.clients import client_for
from zhibiao.accounts.models import User
from zhibiao.committee.models import CommitteeMember
from zhibiao.core.permissions import can, ensure_can
from zhibiao.directory.models import Organisation, Person
from zhibiao.supply.models import Offering


@pytest.fixture
def people(org, other_org):
    return (
        Person.objects.create(name="张三", organisation=org),
        Person.objects.create(name="李四", organisation=other_org),
    )


def test_restrict_dispatches_to_the_models_table(enterprise_user, admin_user, org, other_org):
    assert set(Organisation.objects.restrict(enterprise_user, "view")) >= {org, other_org}
    assert list(Organisation.objects.restrict(enterprise_user, "change")) == [org]
    assert list(Organisation.objects.restrict(enterprise_user, "view_private")) == [org]
    assert set(Organisation.objects.restrict(admin_user, "change")) >= {org, other_org}
    assert not Organisation.objects.restrict(AnonymousUser(), "view").exists()


def test_restrict_asks_view_by_default_and_keeps_the_queryset(enterprise_user, people):
    own, _theirs = people
    assert list(Person.objects.restrict(enterprise_user)) == [own]
    chained = Person.objects.filter(name="张三").restrict(enterprise_user, "view")
    assert list(chained) == [own]
    assert list(Person.objects.filter(name="李四").restrict(enterprise_user)) == []


def test_an_action_the_model_does_not_declare_is_a_programming_error(enterprise_user):
    with pytest.raises(LookupError, match="manage"):
        Organisation.objects.restrict(enterprise_user, "manage")


def test_every_restricted_model_declares_view():
    """A table that lost its "view" rule (say, in a merge) must fail, not show everything."""
    from django.apps import apps

    from zhibiao.core.permissions import RestrictedQuerySet

    restricted = [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), RestrictedQuerySet)
    ]
    assert len(restricted) >= 19
    assert [m.__name__ for m in restricted if "view" not in m._default_manager.all().actions] == []


@pytest.mark.parametrize("model", [Offering, CommitteeMember])
def test_a_public_catalogue_declares_view_as_everything(db, model):
    """The services' catalogue and the committee's roster are public, through the one verb."""
    assert str(model.objects.restrict(AnonymousUser(), "view").query) == str(
        model.objects.all().query
    )


def test_get_for_returns_what_the_user_may_take_the_action_on(enterprise_user, org, people):
    own, _theirs = people
    assert Organisation.objects.get_for(enterprise_user, "change", org.pk) == org
    assert Person.objects.get_for(enterprise_user, "view", own.pk) == own
    assert Person.objects.get_for(enterprise_user, "view", name="张三") == own


def test_get_for_another_organisations_private_object_is_a_404(enterprise_user, people):
    _own, theirs = people
    with pytest.raises(Http404):
        Person.objects.get_for(enterprise_user, "view", theirs.pk)
    with pytest.raises(Http404):
        Person.objects.get_for(enterprise_user, "view", theirs.pk + 1000)


def test_get_for_what_may_be_seen_but_not_changed_is_a_403(enterprise_user, other_org):
    # The register is open to everyone signed in: the other enterprise's entry is no secret.
    assert Organisation.objects.get_for(enterprise_user, "view", other_org.pk) == other_org
    with pytest.raises(PermissionDenied):
        Organisation.objects.get_for(enterprise_user, "change", other_org.pk)
    with pytest.raises(Http404):
        Organisation.objects.get_for(AnonymousUser(), "change", other_org.pk)


def test_can_and_ensure_can_ask_the_objects_own_model(enterprise_user, admin_user, org, other_org):
    assert can(enterprise_user, "change", org)
    assert not can(enterprise_user, "change", other_org)
    assert can(admin_user, "change", other_org)
    assert can(enterprise_user, "view", other_org)
    assert not can(AnonymousUser(), "view", org)
    ensure_can(enterprise_user, "change", org)
    with pytest.raises(PermissionDenied):
        ensure_can(enterprise_user, "change", other_org)
    # An unsaved instance stands for its key: no query to fetch it first.
    assert can(enterprise_user, "change", Organisation(pk=org.pk))
    assert not can(enterprise_user, "change", Organisation(pk=None))


def test_can_refuses_a_model_without_a_table(enterprise_user):
    with pytest.raises(TypeError, match="User"):
        can(enterprise_user, "view", enterprise_user)


def test_services_refuse_with_403(enterprise_user, other_org):
    from zhibiao.directory import services

    with pytest.raises(PermissionDenied):
        services.create_person(enterprise_user, other_org, {"name": "王五"})


def test_pages_hide_another_organisations_people(enterprise_user: User, people):
    own, theirs = people
    client = client_for(enterprise_user)
    assert client.get(reverse("directory:person_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("directory:person_edit", args=[theirs.pk])).status_code == 404
