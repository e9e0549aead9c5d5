"""The worker imports the engine and the catalogue's model code before it forks a job."""

import json
import sys

from webapp.runs import worker


def test_it_preloads_the_model_code_of_the_catalogue():
    from finetune.basemodels import bundled_path

    worker.preload()
    for name in worker.MODEL_TYPES:
        assert f"transformers.models.{name}.modeling_{name}" in sys.modules
    assert "finetune.train" in sys.modules and "finetune.predict" in sys.modules
    bundled = json.loads((bundled_path() / "config.json").read_text())["model_type"]
    assert bundled.replace("-", "_") in worker.MODEL_TYPES
