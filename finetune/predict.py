"""Load a run directory once, then predict fast; score whole spreadsheets.

    predictor = Predictor.load("runs/reviews")
    predictor.predict(["great product", "never again"])
    # [{"label": "positive", "confidence": 0.97, "scores": {"negative": 0.03, "positive": 0.97}}, ...]
    score_file("runs/reviews", "new_reviews.xlsx", "scored.xlsx")

Rows are sorted by length and batched, so each batch pads only to its own longest row.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from finetune import rundir
from finetune.columns import Columns
from finetune.data import Table, read_table, require_columns, write_table
from finetune.errors import FinetuneError
from finetune.tasks import get_task

PREDICTION_COLUMN = "prediction"
CONFIDENCE_COLUMN = "confidence"


def predict_logits(
    model, tokenizer, texts, pairs=None, *, max_length=128, device=None, batch_size=64
) -> np.ndarray:
    """Raw model outputs for `texts` in their original order; batches grouped by length."""
    import torch

    device = device or next(model.parameters()).device
    model.eval()
    if not texts:
        return np.zeros((0, model.config.num_labels), dtype=np.float32)
    encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    keys = list(encoded.keys())
    order = np.argsort([len(ids) for ids in encoded["input_ids"]], kind="stable")
    out = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = tokenizer.pad(
                [{k: encoded[k][i] for k in keys} for i in chunk], return_tensors="pt"
            )
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                logits = model(**batch).logits
            out[chunk] = logits.float().cpu().numpy()
    return out


class Predictor:
    def __init__(self, run_dir: Path, model, tokenizer, info: dict, device):
        self.run_dir = run_dir
        self.model = model
        self.tokenizer = tokenizer
        self.info = info
        self.device = device
        self.task = get_task(info["task"])
        self.labels: list[str] = info["labels"]
        self.columns = Columns.from_dict(info["columns"])
        self.max_length = int(info["config"].get("max_length", 128))

    @classmethod
    def load(cls, run_dir, device: str = "auto") -> "Predictor":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from finetune.train import pick_device

        run_dir = Path(run_dir)
        if not (run_dir / rundir.INFO_FILE).is_file():
            raise FinetuneError(f'"{run_dir}" is not a LabelTune model folder (no labeltune.json).')
        info = rundir.read_info(run_dir)
        torch_device = pick_device(device)
        model = AutoModelForSequenceClassification.from_pretrained(
            run_dir, use_safetensors=True, trust_remote_code=False
        ).to(torch_device)
        tokenizer = AutoTokenizer.from_pretrained(run_dir, trust_remote_code=False)
        return cls(run_dir, model.eval(), tokenizer, info, torch_device)

    def predict(
        self, texts: list[str], text_pairs: list[str] | None = None, batch_size: int = 64
    ) -> list[dict]:
        texts = ["" if t is None else str(t) for t in texts]
        logits = predict_logits(
            self.model,
            self.tokenizer,
            texts,
            text_pairs,
            max_length=self.max_length,
            device=self.device,
            batch_size=batch_size,
        )
        return self.task.postprocess(logits, self.labels)


def score_table(predictor: Predictor, table: Table, text_column: str | None = None) -> pd.DataFrame:
    """The user's table, columns untouched, with prediction and confidence columns added."""
    column = text_column or predictor.columns.text
    if column not in table.frame.columns and text_column is None and len(table.frame.columns) == 1:
        column = table.frame.columns[0]  # a one-column file: that column is the text
    require_columns(table, column)
    frame = table.frame
    predictions = predictor.predict(frame[column].tolist())
    scored = frame.copy()
    name, conf = _free_name(frame, PREDICTION_COLUMN), _free_name(frame, CONFIDENCE_COLUMN)
    scored[name] = [p["label"] for p in predictions]
    scored[conf] = [round(p["confidence"], 4) for p in predictions]
    return scored


def score_file(
    run_dir_or_predictor, in_path, out_path, *, sheet=None, filename=None, text_column=None
) -> Path:
    predictor = (
        run_dir_or_predictor
        if isinstance(run_dir_or_predictor, Predictor)
        else Predictor.load(run_dir_or_predictor)
    )
    table = read_table(in_path, sheet=sheet, filename=filename)
    return write_table(score_table(predictor, table, text_column), out_path)


def _free_name(frame: pd.DataFrame, name: str) -> str:
    """`name`, or "name (2)"... when the user's file already has such a column."""
    candidate, n = name, 2
    while candidate in frame.columns:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
