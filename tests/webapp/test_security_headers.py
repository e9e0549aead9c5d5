"""Content-Security-Policy on every page, no inline scripts anywhere, and proxy headers
trusted only when configured."""

import base64
import hashlib
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from lib.csp import INLINE_SCRIPT
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin

TEMPLATES = Path(settings.BASE_DIR) / "templates"
DATA_TYPES = ("application/json", "application/ld+json")


class ScriptFinder(HTMLParser):
    """Collects inline executable scripts and event-handler attributes in a piece of HTML."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=...>")
            url = (value or "").strip().lower()
            if name in ("href", "src", "action") and url.startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in DATA_TYPES:
            self.problems.append("<script> without src")


def inline_scripts(html: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(html)
    return finder.problems


class ContentSecurityPolicyTestCase(BaseTestCase):
    def test_it_sends_the_policy(self):
        response = self.client.get(reverse("login"))
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        self.assertEqual(directives["script-src"], "'self'")
        self.assertEqual(directives["object-src"], "'none'")
        self.assertEqual(directives["frame-ancestors"], "'none'")

    def test_it_sends_the_policy_on_pages_behind_login(self):
        self.client.force_login(self.alice)
        for name in ("home", "spreadsheets:list", "spreadsheets:upload", "runs:list"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 200, name)
            self.assertIn("script-src 'self'", response.headers["Content-Security-Policy"])
            self.assertEqual(inline_scripts(response.content.decode()), [], name)

    def test_no_template_has_an_inline_script(self):
        found = {}
        for path in sorted(TEMPLATES.rglob("*.html")):
            problems = inline_scripts(path.read_text())
            if problems:
                found[str(path.relative_to(TEMPLATES))] = problems
        self.assertEqual(found, {})

    def test_the_finder_spots_inline_scripts(self):
        html = '<script>alert(1)</script><a href="javascript:x()">x</a><img src=x onerror="y()">'
        self.assertEqual(len(inline_scripts(html)), 3)
        data = (
            '<script src="/static/js/run.js"></script><script type="application/json">[]</script>'
        )
        self.assertEqual(inline_scripts(data), [])


def proxy_header_setting(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("TRUST_PROXY_HEADERS",)}
    code = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean | {"DJANGO_SETTINGS_MODULE": "webapp.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_ignores_proxy_headers_unless_configured():
    assert proxy_header_setting() == "None"
    assert proxy_header_setting(TRUST_PROXY_HEADERS="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


class QueueDashboardPolicyTestCase(RedisMixin, BaseTestCase):
    """django-rq's job lists carry one inline script ("select all"): allowed by its hash only."""

    def test_it_allows_exactly_the_dashboards_own_inline_scripts(self):
        self.client.force_login(self.charlie)
        response = self.client.get("/admin/rq/queues/0/")  # the queues of RedisMixin
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        bodies = [b for b in INLINE_SCRIPT.findall(html) if b.strip()]
        self.assertTrue(bodies, "the job list has its inline script")
        sources = dict(p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"]
                       .split(";"))["script-src"].split()  # fmt: skip
        self.assertEqual(sources[0], "'self'")
        self.assertNotIn("'unsafe-inline'", sources)
        for body in bodies:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            self.assertIn(f"'sha256-{digest}'", sources)
        home = self.client.get(reverse("home"))
        self.assertIn("script-src 'self';", home.headers["Content-Security-Policy"])
