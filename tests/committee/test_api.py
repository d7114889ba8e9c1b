"""The committee's API as every resource of the API behaves (tests/api_mixins.py): its current
members are public."""

import datetime

import pytest

from tests.api_mixins import GetTests, ListTests
from tests.clients import token_client
from tests.factories import CommitteeMemberFactory

pytestmark = pytest.mark.django_db


class TestMembersAPI(ListTests, GetTests):
    list_url = "/api/v1/committee/members"
    detail_url = "/api/v1/committee/members/{pk}"

    @pytest.fixture
    def own(self):
        return CommitteeMemberFactory()

    def test_a_former_member_leaves_the_list(self, reader, own):
        CommitteeMemberFactory(term_end=datetime.date(2024, 1, 1))
        listed = self.items(token_client(reader).get(self.list_url).json())
        assert [item["id"] for item in listed] == [own.pk]
