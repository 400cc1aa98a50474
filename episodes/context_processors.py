from django.conf import settings


def site(request) -> dict:
    """Add the podcast's name to every template."""
    return {"podcast_title": settings.PODCAST_TITLE}
