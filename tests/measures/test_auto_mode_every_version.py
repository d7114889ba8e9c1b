"""免申即享 only on independent facts, for every version that still pays: a newer version that
starts next month leaves the one in force until then, and that one assesses today's claims."""

import datetime

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import OrganisationFactory, make_user
from zhibiao.applications import services as applications
from zhibiao.applications.models import Channel
from zhibiao.measures import services
from zhibiao.measures.models import Clause, Mode

pytestmark = pytest.mark.django_db


def _clause_on_size_until_next_version(rulebook, admin) -> Clause:
    """A clause whose version in force pays small enterprises (a size the enterprise states
    itself), and whose next version, starting in two months, no longer reads the size."""
    today = timezone.localdate()
    first = yaml.safe_load(services.draft_text(rulebook, None))
    first["effective_from"] = datetime.date(today.year - 1, 1, 1)
    first["conditions"].append({"label": "小型企业", "expr": 'size == "小型"'})
    for example in first["examples"]:
        example["facts"]["size"] = "small"
    clause = services.publish_version(admin, rulebook, services.dump_yaml(first)).clause
    second = yaml.safe_load(services.draft_text(rulebook, clause))
    second["effective_from"] = today + datetime.timedelta(days=60)
    second["conditions"] = second["conditions"][:-1]
    for example in second["examples"]:
        example["as_of"] = second["effective_from"]
        example["facts"].pop("size", None)
    services.publish_version(admin, rulebook, services.dump_yaml(second), clause=clause)
    return clause


def test_the_version_in_force_keeps_a_clause_off_the_automatic_channel(rulebook, admin_user):
    clause = _clause_on_size_until_next_version(rulebook, admin_user)
    with pytest.raises(ValidationError) as refused:
        services.update_clause_settings(admin_user, clause, mode=Mode.AUTO, needs_review=False)
    assert "size" in str(refused.value)
    clause.refresh_from_db()
    assert clause.mode == Mode.QUICK
    # Set so behind the service's back, it still takes applications with evidence and review.
    Clause.objects.filter(pk=clause.pk).update(mode=Mode.AUTO, needs_review=False)
    clause.refresh_from_db()
    assert not services.auto_allowed(clause)
    enterprise = OrganisationFactory(size="small")
    application = applications.start_application(
        make_user("enterprise", enterprise), enterprise, clause
    )
    assert application.channel == Channel.QUICK and application.status == "draft"
    assert 'size == "小型"' in application.version.source


def test_a_version_that_ended_does_not_hold_the_clause_back(rulebook, admin_user):
    clause = _clause_on_size_until_next_version(rulebook, admin_user)
    clause.versions.filter(number=1).update(
        effective_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.update_clause_settings(admin_user, clause, mode=Mode.AUTO, needs_review=False)
    clause.refresh_from_db()
    assert services.auto_allowed(clause)
