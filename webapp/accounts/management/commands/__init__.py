"""Management commands of LabelTune (see up.py)."""
