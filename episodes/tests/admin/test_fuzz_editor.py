"""A bounded fuzz of the editor's operations and page saves: never a server error, a refusal changes
nothing, and the transcript stays whole. The long run is bench/fuzz.py; derandomized here."""

import pytest
from hypothesis import given

from episodes.tests.support import fuzzing, fuzzing_editor

pytestmark = pytest.mark.django_db


@fuzzing.bounded(100)
@given(case=fuzzing_editor.editor_cases)
def test_editor_survives_random_posts(admin_client, case):
    fuzzing_editor.check_editor_case(admin_client, case)
