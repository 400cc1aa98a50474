"""Admin for episodes and people."""
