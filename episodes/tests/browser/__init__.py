"""Real-browser tests (Playwright driving Debian's Chromium), marked ``browser``."""
