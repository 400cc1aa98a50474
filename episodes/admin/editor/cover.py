"""The editor's cover upload: a form of its own beside the episode form (the page's typing stays in the page),
checked, re-encoded and kept by :func:`episodes.services.images.cover_upload` as one revision."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect

from ... import services
from ...services import images as image_services
from .base import EpisodeView
from .forms.images import ACCEPT

FORM_ID = "cover-upload"
ERR_NO_FILE = "Choose a picture to upload as the cover."
DONE = "The cover is now {path}."
REFUSED = "Cover not uploaded: {problem}"


class CoverForm(forms.Form):
    cover = forms.FileField(widget=forms.FileInput(attrs={"accept": ACCEPT}))


class CoverView(EpisodeView):
    """Take an uploaded cover for the episode, then show the editor again with what happened."""

    change = True
    http_method_names = ["post"]

    def post(self, request):
        form = CoverForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, ERR_NO_FILE)
            return HttpResponseRedirect(self.change_url())
        try:
            upload = form.cleaned_data["cover"]
            path = image_services.cover_upload(episode=self.episode, upload=upload, user=request.user)
        except services.ServiceError as exc:
            messages.error(request, REFUSED.format(problem=exc))
        else:
            messages.success(request, DONE.format(path=path))
        return HttpResponseRedirect(self.change_url())
