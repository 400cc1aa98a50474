"""Find and replace across the archive: the search, a preview of every episode and match in context, then apply
(one revision per episode; as a job with its progress bar over more than a few episodes).

The same flow as the bulk fixes (:mod:`episodes.admin.fixes`): the episode list's selection (``?ids=``) or, with
none, the whole archive; preview first; apply only what was previewed, each episode refused if it changed since.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ..format import replacing
from ..models import Job
from ..results import REFUSED, UPDATED
from ..services.editing import ServiceError
from ..services.replacing import episodes_replace, replace_preview
from .fixes import FixView, versions_from
from .jobs import FEW, job_response

SHOWN = 100  # matches shown per episode: a pattern matching every word of 3,000 turns must not make a page of MBs
TEMPLATE = "admin/episodes/episode/replace.html"
MSG_DONE = "Replaced {what} in {updated} episode(s), one revision each."
MSG_REFUSED = "{slug}: {text}"


def search_from(data) -> replacing.Search:
    """Return the search the form posted."""
    return replacing.Search(
        find=data.get("find", ""),
        replace=data.get("replace", ""),
        regex=bool(data.get("regex")),
        whole_words=bool(data.get("whole_words")),
        case_sensitive=bool(data.get("case_sensitive")),
        fields=tuple(data.getlist("fields")),
    )


def shown(result) -> tuple[list, int, int]:
    """Return the (where, hit) pairs the page shows of an episode, how many more there are, and its rows."""
    hits = [(change.text.where, hit) for change in result.changes for hit in change.hits]
    more = max(0, len(hits) - SHOWN)
    return hits[:SHOWN], more, min(len(hits), SHOWN) + bool(more)


class ReplaceView(FixView):
    """``?ids=1,2,3`` (or none: every episode): search, preview, apply."""

    def get(self, request):
        return self.page(request, ids=self.ids(request), search=None, found=None)

    def post(self, request):
        ids, search = self.ids(request), search_from(request.POST)
        if "apply" in request.POST:
            return self.apply(request, search, versions_from(request.POST.get("versions", "")))
        try:
            found = replace_preview(search=search, episode_ids=ids or None)
        except ServiceError as exc:
            messages.error(request, str(exc))
            found = None
        return self.page(request, ids=ids, search=search, found=found)

    def apply(self, request, search: replacing.Search, versions: dict[int, int]):
        if not versions:
            messages.error(request, "Preview the replacement first.")
            return HttpResponseRedirect(request.get_full_path())
        if len(versions) > FEW:
            arguments = {"search": search.as_dict(), "versions": {str(pk): v for pk, v in versions.items()}}
            return job_response(request, kind=Job.Kind.REPLACE, arguments=arguments, back=request.get_full_path())
        try:
            lines = episodes_replace(search=search, versions=versions, user=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())
        updated = sum(line.status == UPDATED for line in lines)
        if updated:
            messages.success(request, MSG_DONE.format(what=search.describe(), updated=updated))
        for line in lines:
            if line.status == REFUSED:
                messages.warning(request, MSG_REFUSED.format(slug=line.key, text=line.message))
        return HttpResponseRedirect(reverse("admin:episodes_episode_changelist"))

    def page(self, request, *, ids, search, found):
        admin_site = self.model_admin.admin_site
        search = search or replacing.Search(find="")
        rows = None
        if found is not None:
            rows = [
                (result, reverse("admin:episodes_episode_change", args=[result.episode.pk]), *shown(result))
                for result in found
            ]
        context = {
            **admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": "Find and replace",
            "ids": ",".join(map(str, ids)),
            "count": len(ids),
            "search": search,
            "fields": [(name, label, name in search.fields) for name, label in replacing.FIELDS.items()],
            "found": rows,
            "matches": sum(result.count for result in found or ()),
            "versions": ",".join(f"{result.episode.pk}:{result.version}" for result in found or ()),
            "few": FEW,
        }
        return TemplateResponse(request, TEMPLATE, context)
