"""The Train page's "GPUs for this run" (Advanced): frozen with the run's settings; a page
without it (an older one, the API's form) leaves it to the worker (0: all it was given)."""

SETTINGS = {"name": "m", "base_model": "all-MiniLM-L6-v2", "budget": "quick", "epochs": 0,
            "max_length": 64, "learning_rate": 0, "batch_size": 16, "warmup_ratio": 0.1,
            "weight_decay": 0.01, "patience": 2, "seed": 42, "validation_fraction": 0.1,
            "test_fraction": 0.1, "max_steps": 0}  # fmt: skip


def test_the_train_form_freezes_the_gpus_for_the_run(db):
    from webapp.runs.forms import NewRunForm

    form = NewRunForm(SETTINGS | {"processes": 2})
    assert "processes" in [field.name for field in form.advanced_fields]
    assert form.is_valid(), form.errors
    assert form.cleaned_data["config"].to_dict()["processes"] == 2
    form = NewRunForm(SETTINGS)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["config"].processes == 0
    form = NewRunForm(SETTINGS | {"processes": -1})
    assert not form.is_valid() and "between 0 (all) and 64" in str(form.errors)


def test_the_run_page_says_how_many_gpus_trained_it():
    from finetune.config import TrainConfig
    from webapp.runs.models import TrainingRun

    def card(metrics: dict, **settings) -> dict:
        run = TrainingRun(config=TrainConfig(**settings).to_dict(), metrics=metrics, progress={})
        return dict(run.settings_in_words())

    assert card({})["GPUs for this run"] == "all"  # waiting: not known yet
    assert card({"processes": 2})["GPUs for this run"] == "all (2 used)"
    assert card({"processes": 1}, processes=1)["GPUs for this run"] == "1 (1 used)"
