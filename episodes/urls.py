"""Public addresses; other tools rely on these paths, so change them only with a redirect."""

from django.urls import path, re_path, register_converter

from . import images, views
from .models import SLUG_PATTERN


class SlugConverter:
    """An episode slug or person key: any file name (reverse() quotes what an address must quote)."""

    regex = SLUG_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SlugConverter, "key")


class SeasonConverter:
    """A season number as the database can hold it (a 32-bit integer); any other number is no page."""

    regex = "-?[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not -(2**31) <= number < 2**31:
            raise ValueError("not a season number")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SeasonConverter, "season")

app_name = "episodes"
urlpatterns = [
    path("", views.index, name="index"),
    path("seasons/<season:number>/", views.season, name="season"),
    path("episodes/", views.all_episodes, name="all_episodes"),
    path("episodes/<key:slug>/", views.episode_detail, name="episode"),
    path("episodes/<key:slug>/transcript.json", views.feed, {"kind": "json"}, name="transcript_json"),
    path("episodes/<key:slug>/transcript.vtt", views.feed, {"kind": "vtt"}, name="transcript_vtt"),
    path("episodes/<key:slug>/transcript.srt", views.feed, {"kind": "srt"}, name="transcript_srt"),
    path("episodes/<key:slug>/chapters.json", views.feed, {"kind": "chapters"}, name="chapters"),
    path("people/<key:key>/", views.person_detail, name="person"),
    path("search/", views.search, name="search"),
    path("feed.xml", views.rss, name="rss"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    # The old Jekyll site's addresses, redirected for good: /podcast/<slug>.html, /podcast/<slug>, with or
    # without a final slash. The tail is read by a function rather than a converter, so that any file name
    # (dots, brackets, '.html' of its own) reaches it.
    re_path(r"^podcast/(?P<tail>.+)$", views.old_episode_address),
    re_path(r"^podcast(?:\.html|/)$", views.old_index_address),
]
if images.route():
    urlpatterns.append(path(images.route(), images.site_image, name="site_image"))
