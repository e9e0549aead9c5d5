"""catalog app."""
