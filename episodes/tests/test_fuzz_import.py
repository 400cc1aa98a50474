"""A bounded fuzz of the importer with mutated real files: it never raises, refuses cleanly, or keeps all.

The long run is bench/fuzz.py; derandomized here, so that CI sees the same examples every time.
"""

import pytest
from hypothesis import HealthCheck, given, settings

from episodes.tests import fuzzing

pytestmark = pytest.mark.django_db


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=fuzzing.cases)
def test_importer_survives_mutated_files(case):
    fuzzing.check_case(case)
