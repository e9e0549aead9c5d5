"""{% term "epoch" %}: a word of the glossary (webapp.glossary) with a "?" that shows its
sentence on hover and links to its place on the glossary page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from webapp.glossary import GLOSSARY, anchor

register = template.Library()


@register.simple_tag
def term(key: str, shown: str = "") -> SafeString:
    """The words `shown` (the term's key by default) and the "?" for the term `key`."""
    name, words = GLOSSARY[key]  # a KeyError names a term missing from the glossary
    return format_html(
        '<span class="term">{}<a class="what" href="{}#{}" title="{}" aria-label="What is {}?">'
        "?</a></span>",
        shown or key,
        reverse("glossary"),
        anchor(key),
        words,
        name,
    )
