"""`manage.py check --deploy` passes with production settings."""

import os
import subprocess
import sys

from django.conf import settings


def test_it_passes_the_deploy_check(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": "t3st-only-7Hq9vLx2Rk4Wp8Zs1Nd6Yb3Jf5Gc0Mu2Ae9Xo4Vr7Ti1Ql8Sh6Kw3Pn",
        "ALLOWED_HOSTS": "example.com",
        "LABELTUNE_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
