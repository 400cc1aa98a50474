"""The project's settings and logging."""
