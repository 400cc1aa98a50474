"""The management commands: what they print, their exit statuses and progress bars."""
