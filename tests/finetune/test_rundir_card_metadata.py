"""The model card's front matter reads back as the hub reads it, whatever the base model's
folder is called."""

from huggingface_hub import ModelCard

from finetune.rundir import model_card
from finetune.tasks import get_task

INFO = {
    "pipeline_tag": "text-classification",
    "created": "2025-01-01T00:00:00+00:00",
    "mapping": {"text": "review", "label": "mood"},
    "config": {"epochs": 3, "learning_rate": 5e-5, "batch_size": 16, "max_length": 128},
}
METRICS = {
    "train_rows": 80, "validation_rows": 10, "test_rows": 10, "best_epoch": 2, "epochs_run": 3,
    "train_seconds": 12.0, "device": "cpu", "test_accuracy": 0.9, "test_macro_f1": 0.88,
    "baseline_majority_accuracy": 0.5, "baseline_tfidf_accuracy": 0.7,
}  # fmt: skip


def card_data(base_model: str) -> dict:
    text = model_card(INFO | {"base_model": base_model}, METRICS, get_task("single_label"))
    return ModelCard(text).data.to_dict()


def test_it_names_the_base_model_the_pipeline_and_the_library():
    assert card_data("sentence-transformers/all-MiniLM-L6-v2") == {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
    }


def test_it_quotes_a_local_folder_name_that_yaml_would_misread():
    for folder in ("bert: v2 #1", "yes", "'quoted'", "[draft]"):
        assert card_data(f"/srv/models/{folder}")["base_model"] == folder
