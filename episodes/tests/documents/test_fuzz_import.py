"""A bounded fuzz of the importer with mutated real files: it never raises, refuses cleanly, or keeps all.

The long run is bench/fuzz.py; derandomized here, so that CI sees the same examples every time.
"""

import pytest
from hypothesis import given

from episodes.tests.support import fuzzing

pytestmark = pytest.mark.django_db


@fuzzing.bounded(150)
@given(case=fuzzing.cases)
def test_importer_survives_mutated_files(case):
    fuzzing.check_case(case)
