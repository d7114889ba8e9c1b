"""What the measures' tests share: the story's rule book alone (a fixture), a clause's next
version as text, and the API's check of a text."""

import datetime

import pytest
import yaml

from tests.factories import measures_rulebook
from zhibiao.measures import services
from zhibiao.measures.models import Clause


@pytest.fixture
def rulebook(db):
    """The story's rule book alone: these tests are about clauses, not the story's people."""
    return measures_rulebook()


def next_text(clause: Clause, **changes) -> str:
    data = yaml.safe_load(services.draft_text(clause.rulebook, clause))
    data.update(changes)
    return services.dump_yaml(data)


def _redate(value, years: int):
    """Move every record's year by `years`, keeping the examples' relative meaning."""
    if isinstance(value, dict):
        return {
            k: (v + years if k == "year" and isinstance(v, int) else _redate(v, years))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redate(v, years) for v in value]
    return value


def future_text(clause: Clause, start: datetime.date, **changes) -> str:
    """The next version starting on `start`, its examples moved into the new period."""
    data = yaml.safe_load(next_text(clause, effective_from=start, **changes))
    for example in data["examples"]:
        example["as_of"] = start
        example["facts"] = _redate(example["facts"], start.year - 2023)
    return services.dump_yaml(data)


def api_check_errors(client, text: str, clause: str) -> list[dict]:
    """The errors the API's check finds in a clause's text; it answers 200 and "not valid"."""
    response = client.post(
        "/api/v1/measures/check", {"text": text, "clause": clause}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    return body["errors"]
