"""The synthetic population behaves like a district: most enterprises are owed nothing."""

from tests.rules.support import AS_OF, clauses
from zhibiao.rules import evaluate_population
from zhibiao.rules.synthetic import generate_population


def test_batch_shape_and_share_entitled():
    population = generate_population(20_000, seed=1)
    result = evaluate_population(clauses(), population, AS_OF)
    assert result.entitled.shape == (20_000, len(clauses().in_force(AS_OF)))
    assert 0.005 < result.entitled.any(axis=1).mean() < 0.1
