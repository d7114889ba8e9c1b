"""A district with activity: the demo, 300 generated enterprises, and generated applications,
events, registrations and demands spread over the years since 2023."""

import pytest

from zhibiao.dashboard.synthetic import Sizes, generate_activity
from zhibiao.directory.services import generate_population
from zhibiao.measures.services import start_screening


@pytest.fixture
def activity(demo, admin_user, django_capture_on_commit_callbacks):
    generate_population(None, 300, seed=7)
    generate_activity(
        Sizes(applications=400, events=60, registrations=900, demands=300), admin_user, seed=11
    )
    with django_capture_on_commit_callbacks(execute=True):  # the job starts on commit
        start_screening(admin_user)  # and runs inline in the tests: JOBS_INLINE
    return demo
