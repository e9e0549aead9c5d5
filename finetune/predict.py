"""Load a run directory once, then predict fast; score whole spreadsheets.

    predictor = Predictor.load("runs/reviews")
    predictor.predict(["great product", "never again"])
    # single-label: [{"label": "positive", "confidence": 0.97, "scores": {...}}, ...]
    # multi-label:  [{"labels": ["billing", "refund"], "scores": {...}}, ...]
    # regression:   [{"value": 4.2}, ...]
    predictor.predict(["A man eats."], text_pairs=["Someone is eating."])   # pair models
    score_file("runs/reviews", "new_reviews.xlsx", "scored.xlsx")

The answers' shape is the task's (finetune/tasks); so are the columns a scored spreadsheet
gets. Where a simpler candidate did better than the fine-tuned model on the validation rows
(finetune/candidates.py: a TF-IDF model, the names seen in training, the base model's sentence
embeddings), it answers instead, in the same shape (the embeddings one loads the base model on
its first answer, the bundled one offline); `predictor.served` names it ("model" otherwise), and the fine-tuned model is
not loaded at all (`Predictor.load(folder, candidate=False)` loads it anyway). On a CPU the
model's int8 copy serves when training checked that it agrees with the full model
(finetune/quantize.py); `predictor.precision` says which one does. A folder that holds only
the int8 copy (the int8 download) loads too, on the CPU. Rows are sorted by length and
batched, so each batch pads only to its own longest row.

    use_threads(1)    # torch threads for the whole process (the web process: one per answer)
"""

from pathlib import Path

import pandas as pd

from finetune import candidates, lora, quantize, rundir
from finetune.data import Table, read_table, require_columns
from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping
from finetune.modeling import load_trained, model_class, pick_device
from finetune.tasks import get_task
from finetune.writer import write_table

ONLY_INT8 = (
    "This folder holds only the int8 copy of the model. For full precision, download the "
    "full model."
)


class Predictor:
    def __init__(self, run_dir: Path, model, tokenizer, info: dict, device):
        self.run_dir = run_dir
        self.model = model
        self.tokenizer = tokenizer
        self.info = info
        self.device = device
        self.task = get_task(info["task"])
        self.head: dict = info["head"]
        self.labels: list[str] = self.head["labels"]
        self.mapping = ColumnMapping.from_dict(info["mapping"])
        self.max_length = int(info["config"].get("max_length", 128))
        self.precision = "full"  # or "int8" (Predictor.load)
        self.candidate: candidates.Candidate | None = None  # serves instead of the model
        self.served = candidates.MODEL  # the name of what answers ("model", "tfidf"...)

    @property
    def takes_pairs(self) -> bool:
        return bool(self.mapping.text_pair)

    @classmethod
    def load(
        cls,
        run_dir,
        device: str = "auto",
        int8: bool | None = None,
        candidate: bool = True,
        shared_base: bool = False,
    ) -> "Predictor":
        """The candidate that serves (labeltune.json "served") when it is not the model and
        `candidate` is true. Otherwise, on a CPU, the int8 copy serves when training found it
        agrees with the full model (metrics.json "int8_ok"); `int8=False` forces full
        precision, True the int8 copy. Only the copy that serves stays in memory.
        `shared_base`: a LoRA model keeps its adapter apart, on base weights this process
        holds once for all its LoRA models of that base (finetune/lora.py), in full precision."""
        if candidate and (served := _served_candidate(run_dir)) is not None:
            predictor = cls(
                Path(run_dir), None, None, rundir.read_info(run_dir), pick_device("cpu")
            )
            predictor.candidate, predictor.served = served, served.name
            predictor.head = served.head
            return predictor
        if quantize.holds_only_int8(run_dir) and rundir.is_complete(run_dir):
            if int8 is False:
                raise FinetuneError(ONLY_INT8)
            model, tokenizer, info = _load_int8_folder(run_dir)
            predictor = cls(Path(run_dir), model, tokenizer, info, pick_device("cpu"))
            predictor.precision = "int8"
            return predictor
        torch_device = pick_device(device)
        shared_base = shared_base and lora.is_adapter_folder(run_dir)
        model, tokenizer, info = load_trained(run_dir, torch_device, shared_base=shared_base)
        if int8 is None:
            int8 = torch_device.type == "cpu" and int8_approved(run_dir) and not shared_base
        predictor = cls(Path(run_dir), model, tokenizer, info, torch_device)
        if int8:
            predictor.model = quantize.int8_copy(model, inplace=True)
            predictor.device, predictor.precision = pick_device("cpu"), "int8"
        return predictor

    def predict(
        self, texts: list[str], text_pairs: list[str] | None = None, batch_size: int = 64
    ) -> list[dict]:
        texts = [_text(t) for t in texts]
        if self.takes_pairs:
            if text_pairs is None or len(text_pairs) != len(texts):
                raise FinetuneError(
                    "This model reads pairs of texts: give a second text for every first text."
                )
            text_pairs = [_text(t) for t in text_pairs]
        else:
            text_pairs = None
        if self.candidate is not None:
            return self.candidate.predict(texts, text_pairs)
        outputs = self.task.run_model(
            self.model,
            self.tokenizer,
            texts,
            text_pairs,
            max_length=self.max_length,
            device=self.device,
            batch_size=batch_size,
        )
        return self.task.postprocess(outputs, self.head)


def _served_candidate(run_dir) -> candidates.Candidate | None:
    """The candidate a complete run folder serves instead of its model; None when the model
    serves (or the folder predates candidates)."""
    if not rundir.is_complete(run_dir):
        return None
    served = rundir.read_info(run_dir).get("served") or candidates.MODEL
    if served == candidates.MODEL or not (Path(run_dir) / candidates.SPEC_FILE).is_file():
        return None
    return candidates.load(run_dir)


def _load_int8_folder(run_dir):
    """(model, tokenizer, info) of a folder that holds only the int8 copy."""
    from transformers import AutoTokenizer

    info = rundir.read_info(run_dir)
    model = quantize.load_int8(run_dir, model_class(get_task(info["task"])))
    return model, AutoTokenizer.from_pretrained(run_dir, trust_remote_code=False), info


def use_threads(count: int) -> None:
    """The threads torch uses in this process. One text gains little from more than one,
    and a process answering several at once should not ask for more threads than cores."""
    import torch

    if count > 0 and torch.get_num_threads() != count:
        torch.set_num_threads(count)


def int8_approved(run_dir) -> bool:
    try:
        return bool(rundir.read_json(run_dir, "metrics.json").get("int8_ok"))
    except (OSError, ValueError):
        return False


def score_table(
    predictor: Predictor,
    table: Table,
    text_column: str | None = None,
    pair_column: str | None = None,
) -> pd.DataFrame:
    """The user's table, columns untouched, with the task's prediction columns added."""
    frame = table.frame
    column, pair = input_columns(predictor, table, text_column, pair_column)
    predictions = predictor.predict(frame[column].tolist(), frame[pair].tolist() if pair else None)
    scored = frame.copy()
    texts = [_text(t) for t in frame[column].tolist()]
    columns = predictor.task.prediction_columns(predictions, predictor.head, texts=texts)
    for name, values in columns.items():
        scored[free_name(scored, name)] = values
    return scored


def input_columns(
    predictor: Predictor, table: Table, text_column: str | None = None, pair_column=None
) -> tuple[str, str | None]:
    """(the column of texts, the column of second texts or None) of a table to score: the
    columns named, else those the model was trained on; a one-column file's only column."""
    column = text_column or predictor.mapping.text
    if column not in table.frame.columns and text_column is None and len(table.columns) == 1:
        column = table.columns[0]  # a one-column file: that column is the text
    pair = (pair_column or predictor.mapping.text_pair) if predictor.takes_pairs else None
    require_columns(table, column, pair)
    return column, pair


def score_file(
    run_dir_or_predictor,
    in_path,
    out_path,
    *,
    sheet=None,
    filename=None,
    text_column=None,
    pair_column=None,
) -> Path:
    predictor = (
        run_dir_or_predictor
        if isinstance(run_dir_or_predictor, Predictor)
        else Predictor.load(run_dir_or_predictor)
    )
    table = read_table(in_path, sheet=sheet, filename=filename)
    return write_table(score_table(predictor, table, text_column, pair_column), out_path)


def _text(value) -> str:
    return "" if value is None else str(value)


def free_name(frame: pd.DataFrame, name: str) -> str:
    """`name`, or "name (2)"... when the user's file already has such a column."""
    candidate, n = name, 2
    while candidate in frame.columns:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
