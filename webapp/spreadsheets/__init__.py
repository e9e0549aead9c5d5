"""spreadsheets app."""
