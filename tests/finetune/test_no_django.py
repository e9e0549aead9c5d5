"""finetune/ must run alone (on a GPU box, from the command line): it never imports Django."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_imports_every_module_without_django():
    code = (
        "import sys, pkgutil, importlib, finetune, finetune.tasks\n"
        "sys.modules['django'] = None  # any import of django now fails\n"
        "for m in pkgutil.walk_packages(finetune.__path__, 'finetune.'):\n"
        "    if m.name != 'finetune.__main__': importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_it_has_no_django_import_in_its_source():
    for path in (ROOT / "finetune").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+django", text, re.MULTILINE), path
