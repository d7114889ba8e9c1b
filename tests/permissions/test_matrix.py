"""Every page and API operation × every role gets the status the matrix says (matrix.txt), and
the matrix has a row for each URL name and operation that exists and for nothing else: a new
page or operation fails here until someone decides who may reach it."""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permissions.matrix import OPERATIONS, PAGES, Row
from tests.permissions.world import ROLES, World, build_world, rolled_back, send_operation
from zhibiao.api import api

#: Namespaces and names the matrix leaves out: the admin site (Django's own, staff only),
#: language switching (Django's view) and the API's own URL patterns (covered by operation).
SKIPPED_NAMESPACES = ("admin", "api")
SKIPPED_NAMES = ("set_language",)


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            if inner.split(":")[0] in SKIPPED_NAMESPACES:
                continue
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            if name not in SKIPPED_NAMES and not name.startswith("django."):
                names.add(name)
    return names


def _schema() -> dict:
    return api.get_openapi_schema(path_prefix=api.get_root_path({}))


def _operations(schema: dict) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _assert_one_row_each(keys: set[str], rows: list, what: str) -> None:
    """The table has one row for each of `keys` (URL names or operations), and no other."""
    listed = {row.key for row in rows}
    assert len(listed) == len(rows), f"a row is repeated among the {what}"
    assert sorted(keys - listed) == [], f"{what} without a row in tests/permissions/matrix.txt"
    assert sorted(listed - keys) == [], f"rows for {what} that no longer exist"


def test_every_url_name_has_a_row_and_every_row_a_url():
    _assert_one_row_each(_url_names(get_resolver()), PAGES, "URL names")


def test_every_operation_has_a_row_and_every_row_an_operation():
    _assert_one_row_each(_operations(_schema()), OPERATIONS, "operations")


def test_the_openapi_document_is_what_the_api_serves(client, db):
    """The rows are checked against the schema built in-process; this is the one served."""
    served = client.get("/api/v1/openapi.json").json()
    assert _operations(served) == _operations(_schema())


def test_every_row_names_all_roles():
    for row in (*PAGES, *OPERATIONS):
        assert len(row.expected.split()) == len(ROLES), row.key


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo and the matrix's own objects, loaded once for the module inside a transaction
    that is rolled back at its end, so that no other module sees them."""
    from zhibiao.demo.services import load_demo

    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load_demo()
        yield build_world()
        transaction.set_rollback(True)


def _observed(world: World, row: Row) -> list[str]:
    statuses = []
    if row.method == "GET" and not row.path:
        url = reverse(row.key, kwargs={k: world.objects[v] for k, v in row.params.items()})
        for role in ROLES:
            statuses.append(str(world.pages[role].get(url).status_code))
        return statuses
    schema = _schema()
    operation = schema["paths"][row.path][row.method.lower()]
    path = row.path.format(**{k: world.objects[v] for k, v in row.params.items()})
    if row.query:
        path += "?" + row.query.format(**world.objects)
    components = schema.get("components", {}).get("schemas", {})
    for role in ROLES:
        client = world.api[role]
        response = rolled_back(
            lambda client=client: send_operation(
                client, row.method.lower(), path, operation, components, row.body
            )
        )
        statuses.append(str(response.status_code))
    return statuses


RECORD = os.environ.get("ZHIBIAO_MATRIX_RECORD")


@pytest.mark.parametrize("row", [*PAGES, *OPERATIONS], ids=lambda row: row.key)
def test_status_by_role(world, row, db):
    observed = _observed(world, row)
    if RECORD:
        with open(RECORD, "a", encoding="utf-8") as out:
            out.write(f"{row.key}\t{' '.join(observed)}\n")
    differing = {
        role: f"{want} → {got}"
        for role, want, got in zip(ROLES, row.expected.split(), observed, strict=False)
        if want != got
    }
    assert "500" not in observed, f"{row.key}: a server error for {differing}"
    assert differing == {}, f"{row.key}: expected → observed {differing}"
