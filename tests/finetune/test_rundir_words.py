"""The settings of a run in words, as the model card says them."""

from finetune.rundir import settings_in_words
from finetune.tasks import get_task

CONFIG = {"learning_rate": 5e-05, "batch_size": 16, "max_length": 128, "seed": 42}


def test_it_counts_epochs_in_words():
    assert settings_in_words(CONFIG | {"epochs": 1}, {}).startswith("1 epoch, learning rate")
    assert settings_in_words(CONFIG | {"epochs": 3}, {}).startswith("3 epochs, learning rate")


def test_it_says_when_the_epochs_were_chosen_automatically():
    words = settings_in_words(CONFIG | {"epochs": 0}, {"epochs_run": 3})
    assert words.startswith("3 epochs (chosen automatically), learning rate 5e-05")
    assert settings_in_words(CONFIG | {"epochs": 0}, {"epochs_run": 1}).startswith("1 epoch (")
    assert settings_in_words(CONFIG, {}).startswith("epochs chosen automatically, ")
    for metrics in ({"epochs_run": 3}, {"epochs_run": 1}, {}):
        words = settings_in_words(CONFIG | {"epochs": 0}, metrics)
        assert "run)" not in words and "1 epochs" not in words and "automatic (" not in words


def test_it_says_how_the_learning_rate_was_set():
    # The words the run page says too (finetune.tuning.used_rate).
    automatic = CONFIG | {"epochs": 2, "learning_rate": 0}
    assert "learning rate chosen automatically," in settings_in_words(automatic, {})
    words = settings_in_words(automatic, {"learning_rate": 0.0001})
    assert "learning rate 1e-4 (chosen by trials)," in words


def test_it_says_the_rest_of_the_settings():
    words = settings_in_words(CONFIG | {"epochs": 2, "max_steps": 0}, {})
    assert words == (
        "2 epochs, learning rate 5e-05, 16 rows per step, texts cut at 128 word pieces, "
        "step limit: no limit, seed 42."
    )

    words = settings_in_words(CONFIG | {"epochs": 2, "task": "ner"}, {}, get_task("ner"))
    assert "long texts read in overlapping pieces of 128 word pieces" in words
    assert "cut" not in words


def test_the_card_shows_how_each_task_loads_in_a_pipeline():
    from finetune.rundir import pipeline_call, pipeline_example
    from finetune.tasks import get_task

    info = {"pipeline_tag": "text-classification", "mapping": {"text": "t"}}
    assert pipeline_call(info, get_task("single_label"), "f") == (
        'model = pipeline("text-classification", model="f")'
    )
    assert pipeline_call(info, get_task("multi_label"), "f").endswith(", top_k=None)")
    assert pipeline_call(info, get_task("regression"), "f").endswith(', function_to_apply="none")')
    assert pipeline_example(info) == 'model("your text here")'
    pairs = info | {"mapping": {"text": "q", "text_pair": "a"}}
    assert '"text_pair"' in pipeline_example(pairs)
