"""A bounded fuzz of the editor's operations and page saves: never a server error, a refusal changes
nothing, and the transcript stays whole. The long run is bench/fuzz.py; derandomized here."""

import pytest
from hypothesis import HealthCheck, given, settings

from episodes.tests import fuzzing_editor

pytestmark = pytest.mark.django_db


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=fuzzing_editor.editor_cases)
def test_editor_survives_random_posts(admin_client, case):
    fuzzing_editor.check_editor_case(admin_client, case)
