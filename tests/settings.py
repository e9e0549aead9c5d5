"""Settings for the test suite: the real settings, with a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("LABELTUNE_DATA_DIR", tempfile.mkdtemp(prefix="labeltune-test-"))

from webapp.settings import *  # noqa: E402,F403

# No Redis is assumed: tests that count API calls in Redis point "shared" at their own server.
CACHES = CACHES | {"shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns on every request without it
