"""Tests of the Django web app."""
