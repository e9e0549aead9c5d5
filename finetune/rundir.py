"""One directory per trained model: everything inference and the evaluation page need.

config.json, model.safetensors, tokenizer files   Hugging Face format; pipeline() loads it
labeltune.json       task, column mapping, head (labels, thresholds, scale), train config,
                     base model, versions; written last: a folder without it is incomplete
health.json          the data health report the run trained on
metrics.json         flat dict of figures with stable keys (test_*, baseline_*, val_*, ...)
evaluation.json      the task's evaluation detail (per-label table, confusion, scatter...)
history.json         one point per epoch: step, loss, validation metric
test_predictions.csv the test rows with the model's answers (formula-safe, like every file
                     LabelTune writes for people)
candidate.json       only where a simpler candidate did better on the validation rows: it,
candidate.safetensors  which serves instead of the model (finetune/candidates.py), and
candidate_encoder/   the encoder it reads when that is the base model tuned on pairs of the
                     rows (finetune/embeddings.py; transformers format, safetensors)
README.md            the model card

info = read_info(run_dir)   # labeltune.json as a dict
"""

import errno
import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from finetune import lora
from finetune.candidates import served_sentence, served_words
from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping

INFO_FILE = "labeltune.json"
TEST_PREDICTIONS = "test_predictions.csv"
SERVED_NOTE = (
    "LabelTune answers with {words} (the `candidate.*` files, and `candidate_encoder/` where "
    "there is one): "
    '`Predictor.load("path/to/this/folder")` from `finetune.predict` answers with it too, while '
    "`pipeline()` loads the fine-tuned model."
)
DISK_FULL = (
    "The server's disk is full, so the trained model could not be saved. Free some space "
    "(or ask your administrator to), then train again."
)


def write(
    out_dir: Path,
    *,
    model,
    tokenizer,
    task,
    head,
    mapping,
    config,
    health,
    metrics,
    history,
    evaluation,
    test,
    test_predictions,
    row_number,
    served=None,
) -> None:
    """Write the folder; labeltune.json goes last, atomically, so a folder is either complete
    or not a model at all. A full disk removes what was written and says so plainly.
    `served`: the candidate that serves instead of the model (finetune.candidates), if any."""
    import torch
    import transformers

    info = {
        "task": task.name,
        "pipeline_tag": task.pipeline_tag,
        "auto_model": task.auto_model,  # the transformers class that loads it (finetune.modeling)
        "head": head,
        "labels": head["labels"],
        "mapping": mapping.to_dict(),
        "config": config.to_dict(),
        "base_model": config.base_model,
        "served": served.name if served is not None else "model",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        lora.save(model, out_dir)  # a LoRA model: its adapter and head, not the base
        tokenizer.save_pretrained(out_dir)
        _dump(out_dir / "health.json", health.to_dict())
        _dump(out_dir / "metrics.json", metrics)
        _dump(out_dir / "evaluation.json", evaluation)
        _dump(out_dir / "history.json", history)
        write_test_predictions(out_dir, task, head, test, test_predictions, row_number)
        if served is not None:
            served.save(out_dir)
        (out_dir / "README.md").write_text(model_card(info, metrics, task), encoding="utf-8")
        partial = out_dir / (INFO_FILE + ".partial")
        _dump(partial, info)
        os.replace(partial, out_dir / INFO_FILE)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            remove_incomplete(out_dir)
            raise FinetuneError(DISK_FULL) from err
        raise


def write_test_predictions(out_dir: Path, task, head, test, predictions, row_number) -> Path:
    from finetune.writer import write_table

    columns = {"row": [row_number(r) for r in test.rows], "text": test.texts}
    if test.text_pairs:
        columns["text_pair"] = test.text_pairs
    columns["label"] = task.target_column(test.targets)
    columns |= task.prediction_columns(predictions, head, texts=test.texts)
    judged = [task.is_correct(t, p) for t, p in zip(test.targets, predictions, strict=True)]
    if any(j is not None for j in judged):
        columns["correct"] = judged
    else:
        columns["error"] = [
            round(p["value"] - t, 4) if "value" in p else None
            for t, p in zip(test.targets, predictions, strict=True)
        ]
    return write_table(pd.DataFrame(columns), out_dir / TEST_PREDICTIONS)


def remove_incomplete(out_dir: Path) -> None:
    """Delete what a failed save wrote (the checkpoint stays, for a resumed attempt)."""
    import shutil

    from finetune.embeddings import ENCODER_FOLDER

    for path in out_dir.iterdir():
        if path.is_file():
            path.unlink(missing_ok=True)
        elif path.name == ENCODER_FOLDER:
            shutil.rmtree(path, ignore_errors=True)


def is_complete(run_dir) -> bool:
    return (Path(run_dir) / INFO_FILE).is_file()


def read_info(run_dir) -> dict:
    """labeltune.json; folders from before tasks owned their head get one built here."""
    return parse_info((Path(run_dir) / INFO_FILE).read_bytes())


def parse_info(data: str | bytes) -> dict:
    """labeltune.json's content (read by a caller that stores folders elsewhere) as read_info
    gives it."""
    info = json.loads(data)
    info.setdefault("head", {"labels": info.get("labels", [])})
    info.setdefault("mapping", info.get("columns", {}))
    return info


def read_json(run_dir, name: str):
    return json.loads((Path(run_dir) / name).read_text(encoding="utf-8"))


def read_test_predictions(run_dir) -> pd.DataFrame:
    """The test rows as written (strings; formula-safe quoting undone is not needed to show)."""
    return pd.read_csv(
        Path(run_dir) / TEST_PREDICTIONS, dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def base_model_name(base_model: str) -> str:
    """A hub id as it is; a local folder by its name only (no server paths in cards)."""
    return Path(base_model).name if Path(base_model).is_absolute() else base_model


def finite(data):
    """`data` with NaN and infinities as None: strict JSON, as browsers and PostgreSQL read it
    (a validation figure can be NaN)."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data


def _dump(path: Path, data) -> None:
    text = json.dumps(finite(data), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text, encoding="utf-8")


def model_card(info: dict, metrics: dict, task) -> str:
    mapping = info["mapping"]
    base = base_model_name(info["base_model"])
    reads = f'the column "{mapping["text"]}"'
    if mapping.get("text_pair"):
        reads = f'the pair of columns "{mapping["text"]}" and "{mapping["text_pair"]}"'
    target = ", ".join(ColumnMapping.from_dict(mapping).answer_columns())
    from huggingface_hub import ModelCardData  # quotes what YAML would misread ("a: b #c")

    header = ModelCardData(
        pipeline_tag=info["pipeline_tag"], base_model=base, library_name="transformers"
    )
    lines = [
        "---",
        header.to_yaml(),
        "---",
        "",
        f"# {task.title}, fine-tuned from {base}",
        "",
        f"Trained with LabelTune on {info['created']}. It reads {reads} and learned "
        f'"{target}" ({task.description[0].lower()}{task.description[1:]})',
        "",
        "## Results on the held-out test rows",
        "",
    ]
    lines += [f"- {name}: {value}" for name, value in task.headline(metrics)]
    lines += [f"- Baseline ({name}): {value}" for name, value in task.baseline_headline(metrics)]
    if sentence := served_sentence(task, metrics):
        lines += ["", sentence]
    lines += [
        "",
        "## Training",
        "",
        f"Rows: {metrics['train_rows']} train, {metrics['validation_rows']} validation, "
        f"{metrics['test_rows']} test. Best epoch {metrics['best_epoch']} of "
        f"{metrics['epochs_run']}; {metrics['train_seconds']:.0f} s on {metrics['device']}.",
        "",
        "Settings: " + settings_in_words(info["config"], metrics, task),
        "",
        "## Use it",
        "",
        "```python",
        "from transformers import pipeline",
        pipeline_call(info, task, "path/to/this/folder"),
        pipeline_example(info),
        "```",
        "",
    ]
    if words := served_words(metrics):
        lines += [SERVED_NOTE.format(words=words), ""]
    if lora.uses_lora_settings(info["config"]):
        lines += [lora.card_note(base), ""]
    return "\n".join(lines)


def pipeline_call(info: dict, task, folder: str) -> str:
    """The line that loads this folder with transformers.pipeline, with the task's options."""
    options = "".join(f", {option}" for option in task.pipeline_options)
    return f'model = pipeline("{info["pipeline_tag"]}", model="{folder}"{options})'


def pipeline_example(info: dict) -> str:
    if info["mapping"].get("text_pair"):
        return 'model({"text": "the first text", "text_pair": "the second text"})'
    return 'model("your text here")'


def settings_in_words(config: dict, metrics: dict, task=None) -> str:
    """ "3 epochs, learning rate 5e-05, ..."; "4 epochs (chosen automatically), ..."; long
    texts as `task` reads them (Task.length_in_words; without a task: cut)."""
    from finetune.tuning import used_epochs, used_rate

    count, how = used_epochs(config, metrics)
    if count is None:
        epochs = f"epochs {how}"
    else:
        epochs = _count(count, "epoch") + (f" ({how})" if how else "")
    rate, how = used_rate(config, metrics)
    rate = f"{rate} ({how})" if rate and how else rate or how
    steps = config.get("max_steps") or "no limit"
    max_length = config.get("max_length")
    length = task.length_in_words(max_length) if task else f"texts cut at {max_length} word pieces"
    return (
        f"{epochs}, learning rate {rate}, "
        f"{config.get('batch_size')} rows per step, "
        f"{length}, step limit: {steps}, "
        f"seed {config.get('seed')}."
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"
