"""Real-browser tests: the whole app started with `manage.py up`, driven by Chromium."""
