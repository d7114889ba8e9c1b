"""generate_population: a realistic synthetic register for load tests and benchmarks."""

import pytest
from django.core.management import call_command

from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation, Source, Town

pytestmark = pytest.mark.django_db


def test_generates_valid_enterprises_deterministically():
    call_command("generate_population", enterprises=300, seed=7)
    rows = list(Organisation.objects.filter(source=Source.SYNTHETIC).order_by("pk"))
    assert len(rows) == 300
    assert all(uscc.is_valid(row.uscc) for row in rows)
    assert {row.town for row in rows} <= set(Town.values)
    assert len({row.town for row in rows}) >= 8
    for row in rows[:50]:
        row.full_clean()  # every generated row passes the same validation as a form
    first_codes = [row.uscc for row in rows]
    Organisation.objects.all().delete()
    call_command("generate_population", enterprises=300, seed=7)
    assert [o.uscc for o in Organisation.objects.order_by("pk")] == first_codes


def test_second_run_adds_more_without_collisions():
    call_command("generate_population", enterprises=200, seed=1)
    call_command("generate_population", enterprises=200, seed=1)
    assert Organisation.objects.count() == 400
    assert Organisation.objects.values("uscc").distinct().count() == 400
