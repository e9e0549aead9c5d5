"""E-mail and sign-in throttling settings come from environment variables: the console with
none set, SMTP once EMAIL_HOST is set, and a bad value stops the app with a sentence."""

import json
import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import json, webapp.settings as s; print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, "
    "s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.LOGIN_ADDRESS_FAILURE_LIMIT]))"
)
CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def load(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh Python with only these variables of ours set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "LOGIN_"))}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def values(**env: str) -> list:
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_prints_emails_on_the_console_by_default():
    assert values() == [CONSOLE, "localhost", 25, False, False, 30]


def test_it_sends_through_smtp_once_a_host_is_set():
    got = values(EMAIL_HOST="smtp.example.org", EMAIL_USE_TLS="1", LOGIN_ADDRESS_FAILURE_LIMIT="50")
    assert got == [SMTP, "smtp.example.org", 587, True, False, 50]
    assert values(EMAIL_HOST="smtp.example.org", EMAIL_USE_SSL="1")[2] == 465


def test_it_refuses_bad_values_with_a_sentence():
    cases = {
        "EMAIL_USE_TLS must be 1 or 0, not 'maybe'.": {"EMAIL_USE_TLS": "maybe"},
        "EMAIL_PORT must be a whole number, not 'smtp'.": {"EMAIL_PORT": "smtp"},
        "Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.": {
            "EMAIL_USE_TLS": "1",
            "EMAIL_USE_SSL": "1",
        },
        "LOGIN_ADDRESS_FAILURE_LIMIT must be a whole number": {"LOGIN_ADDRESS_FAILURE_LIMIT": "x"},
    }
    for sentence, env in cases.items():
        result = load(**env)
        assert result.returncode != 0
        assert sentence in result.stderr
