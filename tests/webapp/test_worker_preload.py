"""The worker imports the engine and the catalogue's model code before it forks a job."""

import json
import sys

from webapp.queue import worker


def test_it_preloads_the_model_code_of_the_catalogue():
    from finetune.basemodels import bundled_path

    worker.preload()
    for name in worker.MODEL_TYPES:
        assert f"transformers.models.{name}.modeling_{name}" in sys.modules
    assert "finetune.train" in sys.modules and "finetune.predict" in sys.modules
    bundled = json.loads((bundled_path() / "config.json").read_text())["model_type"]
    assert bundled.replace("-", "_") in worker.MODEL_TYPES


def test_the_app_sets_the_thread_policy_before_torch_loads():
    import os
    import subprocess
    from pathlib import Path

    script = ("import os, sys, django; django.setup(); "
              "print('torch' in sys.modules, os.environ['OMP_WAIT_POLICY'])")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["DJANGO_SETTINGS_MODULE"] = "webapp.settings"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert done.stdout.split() == ["False", "PASSIVE"]
