"""Fixtures of the admin's browser tests: the editor who logs in, and the seed episode to edit."""

import pytest

from episodes.tests.support.factories import EDITOR_LOGIN, import_text, make_editor, make_person


@pytest.fixture
def editor_login(transactional_db) -> tuple[str, str]:
    """Create the editor, its group with every permission of the app; return its username and password.

    Transactional tests flush the data migration's group, so the group is given its permissions again.
    """
    make_editor(every_permission=True)
    return EDITOR_LOGIN


@pytest.fixture
def seed_with_people(transactional_db, seed_text) -> None:
    """Import the seed episode with its guest's and host's profiles (names only)."""
    make_person("dannyleybzon", "Danny Leybzon")
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    assert import_text(seed_text).status == "created"
