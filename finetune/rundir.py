"""One directory per trained model: everything inference and the evaluation page need.

config.json, model.safetensors, tokenizer files   Hugging Face format; pipeline() loads it
labeltune.json       task, columns, labels, train config, base model, versions
health.json          the data health report the run trained on
metrics.json         flat dict of figures with stable keys (test_*, baseline_*, val_*, ...)
evaluation.json      per-label table and confusion matrix
history.json         one point per epoch: step, loss, validation metric
test_predictions.csv the test rows with the model's answers
README.md            the model card

info = read_info(run_dir)   # labeltune.json as a dict
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

INFO_FILE = "labeltune.json"


def write(
    out_dir: Path,
    *,
    model,
    tokenizer,
    task,
    labels,
    columns,
    config,
    health,
    metrics,
    history,
    evaluation,
    test,
    test_predictions,
    row_number,
) -> None:
    import torch
    import transformers

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    info = {
        "task": task.name,
        "pipeline_tag": task.pipeline_tag,
        "labels": labels,
        "columns": columns.to_dict(),
        "config": config.to_dict(),
        "base_model": config.base_model,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
    }
    _dump(out_dir / INFO_FILE, info)
    _dump(out_dir / "health.json", health.to_dict())
    _dump(out_dir / "metrics.json", metrics)
    _dump(out_dir / "evaluation.json", evaluation)
    _dump(out_dir / "history.json", history)
    pd.DataFrame(
        {
            "row": [row_number(r) for r in test.rows],
            "text": test.texts,
            **({"text_pair": test.text_pairs} if test.text_pairs else {}),
            "label": test.targets,
            "prediction": [p["label"] for p in test_predictions],
            "confidence": [round(p["confidence"], 4) for p in test_predictions],
            "correct": [
                str(t) == str(p["label"])
                for t, p in zip(test.targets, test_predictions, strict=True)
            ],
        }
    ).to_csv(out_dir / "test_predictions.csv", index=False)
    (out_dir / "README.md").write_text(model_card(info, metrics, evaluation), encoding="utf-8")


def read_info(run_dir) -> dict:
    return json.loads((Path(run_dir) / INFO_FILE).read_text(encoding="utf-8"))


def read_json(run_dir, name: str):
    return json.loads((Path(run_dir) / name).read_text(encoding="utf-8"))


def base_model_name(base_model: str) -> str:
    """A hub id as it is; a local folder by its name only (no server paths in cards)."""
    return Path(base_model).name if Path(base_model).is_absolute() else base_model


def _dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def model_card(info: dict, metrics: dict, evaluation: dict) -> str:
    columns = info["columns"]
    cfg = info["config"] | {"base_model": base_model_name(info["base_model"])}
    lines = [
        "---",
        f"pipeline_tag: {info['pipeline_tag']}",
        f"base_model: {cfg['base_model']}",
        "library_name: transformers",
        "---",
        "",
        f"# Text classifier fine-tuned from {cfg['base_model']}",
        "",
        f"Trained with LabelTune on {info['created']}. It reads the column "
        f'"{columns["text"]}" and predicts one of {len(info["labels"])} labels '
        f'(column "{columns["label"]}").',
        "",
        "## Results on the held-out test rows",
        "",
        f"- Accuracy: {metrics['test_accuracy']:.3f} ({metrics['test_correct']} of {metrics['test_rows']} rows)",
        f"- Macro F1: {metrics['test_macro_f1']:.3f}",
        f"- Baseline, always the most common label: accuracy {metrics['baseline_majority_accuracy']:.3f}",
        f"- Baseline, TF-IDF + logistic regression: accuracy {metrics['baseline_tfidf_accuracy']:.3f}, "
        f"macro F1 {metrics['baseline_tfidf_macro_f1']:.3f}",
        "",
        "| label | precision | recall | F1 | test rows |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['label']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['support']} |"
        for r in evaluation["per_label"]
    ]
    lines += [
        "",
        "## Training",
        "",
        f"Rows: {metrics['train_rows']} train, {metrics['validation_rows']} validation, "
        f"{metrics['test_rows']} test. Best epoch {metrics['best_epoch']} of {metrics['epochs_run']}; "
        f"{metrics['train_seconds']:.0f} s on {metrics['device']}.",
        "",
        "Settings: " + ", ".join(f"{k}={v}" for k, v in cfg.items()),
        "",
        "## Use it",
        "",
        "```python",
        "from transformers import pipeline",
        'classify = pipeline("text-classification", model="path/to/this/folder")',
        'classify("your text here")',
        "```",
        "",
    ]
    return "\n".join(lines)
