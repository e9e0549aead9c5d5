"""LabelTune's Django project: settings, URLs and one app per thing users see."""
