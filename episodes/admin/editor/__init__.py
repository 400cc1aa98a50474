"""The episode editor's views besides the admin change page (operations, undo, history, revert, preview)."""
