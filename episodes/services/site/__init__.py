"""Keep the site's git repository and the CMS in step: pull, push, status, settling conflicts.

The git work goes through :mod:`episodes.documents.git`, the merge through :mod:`episodes.format.merge`.
"""

from .pending import Pending, PendingChanges, pending_changes
from .pull import PullReport, site_pull
from .push import PushReport, site_push
from .repository import SyncError, open_site, repo_path
from .status import KEEP_CMS, KEEP_SITE, StatusReport, conflict_line, conflict_resolve, site_status

__all__ = [
    "KEEP_CMS",
    "KEEP_SITE",
    "Pending",
    "PendingChanges",
    "PullReport",
    "PushReport",
    "StatusReport",
    "SyncError",
    "conflict_line",
    "conflict_resolve",
    "open_site",
    "pending_changes",
    "repo_path",
    "site_pull",
    "site_push",
    "site_status",
]
