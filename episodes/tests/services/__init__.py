"""Services and selectors, each called directly: edits, revisions, intake, jobs, suggestions, fixes."""
