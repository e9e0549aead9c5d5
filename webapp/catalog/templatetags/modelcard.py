"""The model card (README.md of a run folder, written by finetune.rundir.model_card) as a
page: `{% load modelcard %}{{ card|card_html }}`.

Everything is escaped first; then only the Markdown the card uses becomes HTML: headings
("#" to "###", shown one level below the page's own), "- " lists, fenced code blocks,
`inline code` and paragraphs. The front matter between "---" lines (for the model hub) is
left out.
"""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HEADING = re.compile(r"^(#{1,3}) (.+)$")
INLINE_CODE = re.compile(r"`([^`]+)`")
HEADING_OFFSET = 2  # "# Title" becomes <h3>: the page already has its <h1> and <h2>s


@register.filter
def card_html(text: str | None) -> SafeString:
    lines = (text or "").splitlines()
    # 1. Leave out the front matter.
    if lines and lines[0].strip() == "---" and "---" in (x.strip() for x in lines[1:]):
        lines = lines[[x.strip() for x in lines].index("---", 1) + 1 :]
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    # 2. Block by block: code fences, headings, list items, paragraphs.
    for line in lines:
        if code is not None:
            if line.strip().startswith("```"):
                out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
                code = None
            else:
                code.append(line)
            continue
        if line.strip().startswith("```"):
            flush()
            code = []
        elif heading := HEADING.match(line):
            flush()
            level = len(heading[1]) + HEADING_OFFSET
            out.append(f"<h{level}>{_inline(heading[2])}</h{level}>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    if code is not None:  # an unclosed fence still shows its code
        out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
    flush()
    return mark_safe("\n".join(out))  # every piece of text went through escape()


def _inline(text: str) -> str:
    """Escape, then `code` spans."""
    return INLINE_CODE.sub(r"<code>\1</code>", escape(text))
