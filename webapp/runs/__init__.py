"""runs app."""
