"""A clause paid per record of a list reads that list even when no expression names it
(`each: courses` with a fixed amount): the check of who attests it, the screening's loading and
the sources an explanation shows all see it."""

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import OrganisationFactory, make_user
from zhibiao.measures import facts, services
from zhibiao.measures.models import Mode
from zhibiao.profiles.models import Certification
from zhibiao.rules import evaluate_population, explain

pytestmark = pytest.mark.django_db


def _per_record(rulebook, each: str) -> str:
    data = yaml.safe_load(services.draft_text(rulebook, None))
    data["award"] = {"each": each, "amount": 2000}
    data["examples"] = []
    return services.dump_yaml(data)


def test_a_fixed_amount_per_course_is_refused_without_application(rulebook, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.publish_version(
            admin_user, rulebook, _per_record(rulebook, "courses"), mode=Mode.AUTO
        )
    assert "courses" in str(refused.value)


def test_screening_and_explanation_agree_on_a_fixed_amount_per_record(rulebook, admin_user):
    version = services.publish_version(
        admin_user, rulebook, _per_record(rulebook, "certifications")
    )
    enterprise = OrganisationFactory()
    certificate = Certification(
        organisation=enterprise, kind="cma", number="CMA-EACH-1", year=timezone.localdate().year
    )
    certificate.mark_recorded(make_user("admin"), verified=True)
    certificate.save()
    today = timezone.localdate()
    compiled = services.clause_set(rulebook)
    one = explain(compiled, facts.facts_for(enterprise, today), today).result(version.clause.code)
    assert one.amount == 2000
    population, _ids = facts.population(
        today, facts.enterprises().filter(pk=enterprise.pk), needed=facts.needed_by(compiled)
    )
    batch = evaluate_population(compiled, population, today)
    assert batch.amount(0, version.clause.code) == 2000
    ((_rulebook, explanation),) = services.explain_enterprise(enterprise, today)
    sources = explanation.result(version.clause.code).sources
    assert "certifications" in [source["fact"] for source in sources]
