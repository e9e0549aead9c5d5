"""scripts/start serves in production mode: no debug pages, a secret key generated once into
the data folder, plain HTTP on this machine that still signs people in; --debug on request."""

import http.cookiejar
import os
import re
import stat
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.e2e.appserver import App, app_env, free_port
from webapp.quickstart import environment, secret_key


def test_it_generates_the_secret_key_once(tmp_path):
    env, args = environment(["--port", "9000"], {"LABELTUNE_DATA_DIR": str(tmp_path)})
    assert args == ["--port", "9000"]
    assert env["DEBUG"] == "0" and len(env["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    again, _ = environment([], {"LABELTUNE_DATA_DIR": str(tmp_path)})
    assert again["SECRET_KEY"] == env["SECRET_KEY"] == secret_key(tmp_path)


def test_it_serves_debug_pages_only_when_asked(tmp_path):
    env, args = environment(["--debug", "--workers", "2"], {"LABELTUNE_DATA_DIR": str(tmp_path)})
    assert env["DEBUG"] == "1" and args == ["--workers", "2"]
    assert "SECRET_KEY" not in env and not (tmp_path / "secret_key").exists()
    env, _ = environment([], {"LABELTUNE_DATA_DIR": str(tmp_path), "DEBUG": "1"})
    assert env["DEBUG"] == "1"


def test_it_keeps_what_the_environment_sets(tmp_path):
    given = {"LABELTUNE_DATA_DIR": str(tmp_path), "SECRET_KEY": "mine" * 20,
             "ALLOWED_HOSTS": "example.org", "SECURE_SSL_REDIRECT": "1"}  # fmt: skip
    env, _ = environment([], given)
    assert env["SECRET_KEY"] == "mine" * 20 and env["ALLOWED_HOSTS"] == "example.org"
    assert env["SECURE_SSL_REDIRECT"] == "1"
    assert not (tmp_path / "secret_key").exists()


def test_it_allows_the_host_it_serves_on(tmp_path):
    env, _ = environment(["--host", "192.168.1.20"], {"LABELTUNE_DATA_DIR": str(tmp_path)})
    assert env["ALLOWED_HOSTS"].split(",") == ["127.0.0.1", "localhost", "[::1]", "192.168.1.20"]


@pytest.mark.slow
def test_it_starts_in_production_mode_and_signs_people_in(tmp_path):
    env = app_env(LABELTUNE_DATA_DIR=str(tmp_path / "var"), WEB_CONCURRENCY="1")
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"):
        env.pop(name, None)
    app = App(env, free_port(), command=("-m", "webapp.quickstart"))
    try:
        app.wait_ready()
        assert "production mode" in app.output(400)
        assert (tmp_path / "var" / "secret_key").is_file()

        # A bad URL answers a plain 404, not Django's debug page listing the URL patterns.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(app.url("/no/such/page/"), timeout=10)
        body = missing.value.read().decode()
        assert missing.value.code == 404 and "URLconf" not in body and "runs/" not in body

        # Signing up over plain HTTP works: the cookies are not limited to HTTPS.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(app.url("/signup/"), timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = {"csrfmiddlewaretoken": token, "username": "quick",
                "password1": "a-long-password-42", "password2": "a-long-password-42"}  # fmt: skip
        request = urllib.request.Request(
            app.url("/signup/"), urllib.parse.urlencode(form).encode(),
            headers={"Referer": app.url("/signup/")},
        )  # fmt: skip
        home = opener.open(request, timeout=10)
        assert home.status == 200 and "Welcome, quick" in home.read().decode()
    finally:
        app.stop()
