"""The verification queue's API as every resource of the API behaves (tests/api_mixins.py):
staff list what waits, anonymous is refused, and deciding what is already decided is a 409."""

import pytest

from tests.api_mixins import AnonymousRefusedTests, ListTests, RefusedStepTests
from tests.factories import StandardDraftingFactory

pytestmark = pytest.mark.django_db


class TestVerificationQueueAPI(ListTests, AnonymousRefusedTests, RefusedStepTests):
    list_url = "/api/v1/verifications"
    step_url = "/api/v1/verifications/standard_drafting/{pk}/verify"

    @pytest.fixture
    def reader(self, admin_user):
        return admin_user

    @pytest.fixture
    def own(self):
        return StandardDraftingFactory()  # pending

    @pytest.fixture
    def stuck(self):
        return StandardDraftingFactory(verification="verified")
