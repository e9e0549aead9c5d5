"""The token-authenticated prediction API under /api/v1/ (django-ninja), and its docs page."""
