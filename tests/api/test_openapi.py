"""The OpenAPI document tells the truth: it validates, each schema name means one schema, and
every operation lists the errors it can answer (issue 11)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from django.test import Client
from ninja import Schema
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document() -> dict:
    import zhibiao.api  # noqa: F401  every router's schemas are defined once it is imported

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _schemas(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("zhibiao."):
            found.append(sub)
        found.extend(_schemas(sub))
    return found


def test_the_document_validates(document):
    validate(document)


def test_each_schema_name_means_one_schema(document):
    """ninja names a component after its class: two classes of one name overwrite each other
    and an operation is documented with another's schema."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _schemas(Schema):
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    twice = {name: places for name, places in by_name.items() if len(places) > 1}
    assert not twice


def test_every_operation_documents_its_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= documented, (method, path)
            if method != "get":
                assert {"409", "413"} <= documented, (method, path)
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
