"""The standards API as every resource of the API behaves (tests/api_mixins.py): a validity
check's report is its owner's alone, the catalogue is public."""

import pytest

from tests.api_mixins import AnonymousRefusedTests, GetTests, ListTests, OtherOrganisationTests
from tests.factories import EnterpriseUserFactory
from zhibiao.standards.models import Check, Standard

pytestmark = pytest.mark.django_db


class TestCheckReportAPI(GetTests, AnonymousRefusedTests, OtherOrganisationTests):
    detail_url = "/api/v1/standards/checks/{pk}"

    @pytest.fixture
    def own(self, reader):
        return Check.objects.create(owner=reader, name="质量手册.docx", state="done")

    @pytest.fixture
    def foreign(self):
        return Check.objects.create(owner=EnterpriseUserFactory(), name="他人.docx", state="done")


class TestCatalogueAPI(ListTests, GetTests):
    list_url = "/api/v1/standards"
    detail_url = "/api/v1/standards/{pk}"

    @pytest.fixture
    def own(self, small_catalogue):
        return Standard.objects.get(code="GB/T 42061-2022")
