"""The guest autocomplete on the editor: key and word-prefix matches first (issue 19)."""

import pytest
from django.urls import reverse

from episodes.tests.support.factories import make_person

pytestmark = pytest.mark.django_db


def guests(client, term: str) -> list[str]:
    url = reverse("admin:autocomplete")
    params = {"app_label": "episodes", "model_name": "episodeguest", "field_name": "person", "term": term}
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [row["text"] for row in response.json()["results"]]


def test_jane_lists_people_named_jane_before_mary_jane(admin_client, django_assert_max_num_queries):
    make_person("marydykeman", "Mary Jane Dykeman")
    make_person("alexjaneway", "Alex Janeway")
    make_person("zoejane", "Zoe Jane-Smith")
    make_person("janedoe", "Jane Doe")
    make_person("jim", "Janet Jimenez")
    make_person("benjanes", "Ben Benjanes")
    with django_assert_max_num_queries(6):
        found = guests(admin_client, "Jane")
    # Key or name starting with the term, then a word of the name starting with it, then the rest; by name.
    assert found == ["Jane Doe", "Janet Jimenez", "Alex Janeway", "Mary Jane Dykeman", "Zoe Jane-Smith", "Ben Benjanes"]
    # Spaces around the term change nothing; a term that matches no one lists no one.
    assert guests(admin_client, "  jane ") == found
    assert guests(admin_client, "nobody") == []
