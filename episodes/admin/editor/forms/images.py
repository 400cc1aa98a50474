"""The image path fields (an episode's cover, a person's picture): the path, a preview or a warning that no
file is there, and the upload that replaces the picture (see :mod:`episodes.services.images`)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.loader import render_to_string

from ....documents import images
from ....format.markup import image_url

ACCEPT = "image/jpeg,image/png,image/webp"
M_MISSING = "No file: {path} is neither in the site checkout nor in the media storage."


class ImagePathWidget(forms.TextInput):
    """A path such as ``images/podcast/slug.jpg``, shown with its picture (or a warning), and a file input.

    ``upload_name`` names the file input; ``upload_form`` the id of the form it belongs to, when that is not
    the form around it (the editor uploads a cover by a form of its own, keeping the page's typing); an empty
    ``upload_name`` leaves the upload out (a new episode has no name to keep a cover under yet).
    """

    around = "admin/episodes/widgets/image_path.html"  # a project template: the form renderer sees app ones only

    def __init__(self, *, upload_name: str = "", upload_form: str = "", button: str = "", attrs=None):
        super().__init__(attrs={"class": "vTextField", **(attrs or {})})
        self.upload_name, self.upload_form, self.button = upload_name, upload_form, button

    def render(self, name, value, attrs=None, renderer=None):
        path = (value or "").strip() if isinstance(value, str) else ""
        found = bool(path) and images.image_exists(path)
        context = {
            "input": super().render(name, value, attrs, renderer),
            "preview": image_url(path, base=settings.PODCAST_IMAGES_URL) if found else "",
            "missing": M_MISSING.format(path=path) if path and not found else "",
            "upload_name": self.upload_name,
            "upload_form": self.upload_form,
            "button": self.button,
            "accept": ACCEPT,
        }
        return render_to_string(self.around, context)
