"""The episode editor, one module a page or job.

``change`` the change page (the episode form, its small lists, the save); ``page`` the transcript table's rows
(what the page shows is read by :mod:`episodes.selectors.editor`); ``forms`` the page's forms by job;
``operations`` one small form per operation and ``operation_views`` the views that run them and undo;
``history`` revisions, review and revert; ``export`` the export preview and the YouTube chapters; ``intake`` a
raw transcript in; ``base`` what the views share.
"""
