"""Reusable API tests, in the spirit of NetBox's API test-case mixins: what every resource of
the API must do, written once, and a test class per resource that says which of them apply.

A test class (named `Test…`) inherits the mixins that apply, sets the URLs and defines the
fixtures they take:

- `reader`: a signed-in user who may read `own` (requests carry their bearer token); an
  enterprise user unless the class defines it;
- `own`: an object `reader` may read;
- `foreign`: an object of another organisation, which `reader` may not read (OtherOrganisation);
- `stuck`: an object whose state refuses the step `step_url` takes (RefusedStep).

The statuses are what the API answers today: 401 for a request without a (valid) token where
one is needed, 404 for an object the user may not see (its existence is not revealed), 409 for
a step the object's state or conditions do not allow. The permission matrix
(tests/permissions) checks every operation by role; these check what the responses say.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.forms.models import model_to_dict

from tests.clients import client_for, token_client

#: An id no row has.
MISSING = 999999


class APITests:
    """The URLs of one resource; `{pk}` in a URL is replaced by an object's id."""

    list_url: ClassVar[str] = ""
    detail_url: ClassVar[str] = ""

    @pytest.fixture
    def reader(self, enterprise_user):
        return enterprise_user

    @staticmethod
    def items(body) -> list[dict]:
        """A list's rows, paginated (`{"count", "items"}`) or not."""
        return body["items"] if isinstance(body, dict) else body

    def detail(self, obj) -> str:
        return self.detail_url.format(pk=getattr(obj, "pk", obj))


class ListTests(APITests):
    def test_the_list_shows_the_object(self, reader, own):
        response = token_client(reader).get(self.list_url)
        assert response.status_code == 200, response.content
        body = response.json()
        if isinstance(body, dict):
            assert body["count"] >= len(body["items"])  # paginated: the count is of all pages
        assert own.pk in {item["id"] for item in self.items(body)}


class GetTests(APITests):
    def test_get_answers_the_object(self, reader, own):
        response = token_client(reader).get(self.detail(own))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == own.pk

    def test_a_missing_object_is_404(self, reader):
        response = token_client(reader).get(self.detail(MISSING))
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}


class AnonymousRefusedTests(APITests):
    """Without a token (or with a wrong one) the resource answers 401 and says why."""

    anonymous_status: ClassVar[int] = 401

    def _urls(self, own) -> list[str]:
        return [url for url in (self.list_url, self.detail_url and self.detail(own)) if url]

    def test_anonymous_is_refused(self, own):
        for url in self._urls(own):
            response = client_for(None).get(url)
            assert response.status_code == self.anonymous_status, url
            assert "detail" in response.json()

    def test_a_wrong_token_is_refused(self, own):
        for url in self._urls(own):
            response = client_for(None).get(url, headers={"authorization": "Bearer zb_wrong"})
            assert response.status_code == self.anonymous_status, url


class OtherOrganisationTests(APITests):
    """Another organisation's object is a 404, as if it did not exist, and the list leaves it
    out. `foreign_url` is the URL that must not answer (the detail by default)."""

    foreign_url: ClassVar[str] = ""

    def test_another_organisations_object_is_404(self, reader, foreign):
        url = (self.foreign_url or self.detail_url).format(pk=foreign.pk)
        response = token_client(reader).get(url)
        assert response.status_code == 404
        assert "detail" in response.json()

    def test_the_list_leaves_another_organisations_object_out(self, reader, foreign):
        if not self.list_url or self.foreign_url:  # a public list, a private part
            return
        body = token_client(reader).get(self.list_url).json()
        assert foreign.pk not in {item["id"] for item in self.items(body)}


class RefusedStepTests(APITests):
    """A step the object's state does not allow is a 409 with a message, and changes nothing."""

    step_url: ClassVar[str] = ""
    step_body: ClassVar[dict] = {}

    def test_a_refused_step_is_409_and_changes_nothing(self, reader, stuck):
        before = model_to_dict(stuck)
        response = token_client(reader).post(
            self.step_url.format(pk=stuck.pk), self.step_body, content_type="application/json"
        )
        assert response.status_code == 409, response.content
        assert response.json()["detail"]
        stuck.refresh_from_db()
        assert model_to_dict(stuck) == before
