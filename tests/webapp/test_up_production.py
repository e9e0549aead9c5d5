"""Production mode starts and serves: `manage.py up` with DEBUG=0 collects the static files
into the strict manifest storage (every file a stylesheet or script names must exist) and
answers pages with hashed static URLs and the security headers."""

import re
import urllib.request

import pytest

from tests.e2e.appserver import DROPPED, App, app_env, free_port

pytestmark = pytest.mark.slow
SECRET = "t3st-only-7Hq9vLx2Rk4Wp8Zs1Nd6Yb3Jf5Gc0Mu2Ae9Xo4Vr7Ti1Ql8Sh6Kw3Pn"


@pytest.fixture
def production_app(tmp_path):
    env = app_env(
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback; a proxy would add TLS
        LABELTUNE_DATA_DIR=str(tmp_path / "var"),
        WEB_CONCURRENCY="1",
    )
    assert not set(DROPPED) & {k for k in env if k not in ("HOST", "PORT")}
    app = App(env, free_port())
    try:
        app.wait_ready()
        yield app
    finally:
        app.stop()


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_it_starts_in_production_mode_and_serves_pages(production_app):
    status, headers, body = get(production_app.url("/login/"))
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"

    # Static URLs carry the content hash of the manifest storage, and answer.
    html = body.decode()
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html)
    assert css, html[:1000]
    status, headers, body = get(production_app.url(css.group(1)))
    assert status == 200 and b"LabelTune" in body
    assert "max-age=315360000" in headers["Cache-Control"]
