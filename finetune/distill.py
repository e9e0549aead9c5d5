"""A smaller, faster copy of a trained model ("Make it faster"): knowledge distillation.

    result = distill("runs/reviews", table, "runs/reviews-small", unlabelled=more_texts)
    result.metrics["test_accuracy"], result.metrics["teacher_test_accuracy"]
    result.metrics["distill_ok"], result.metrics["distill_agreement"]
    python -m finetune distill runs/reviews --data reviews.xlsx --out runs/reviews-small

1. The student is the teacher's own model with fewer layers: every other layer of the
   teacher (the first, third, ...), with the embeddings and the output layer, copied (the
   way DistilBERT was made); `layers` picks how many. It reads with the teacher's tokenizer.
2. It learns the teacher's answers, not the labels: on the training rows of the file the
   teacher trained on (split again exactly as the teacher's run split it: its seed, shares
   and split column) and on unlabelled texts of the same kind when given. How far the
   student's answer is from the teacher's is the task's (`Task.soft_loss`: softened KL
   divergence for labels, per token for names, yes/no per label, squared error for numbers).
3. It is checked on the teacher's test rows: `test_*` are the student's figures with the
   same keys as the teacher's, `teacher_test_*` the teacher's on the same rows,
   `distill_agreement` the share of rows where both give the same answer. It passes
   (`distill_ok`) when its headline figure is within METRIC_POINTS of the teacher's. Its
   own int8 copy (finetune/quantize.py) is judged the same way, against the teacher
   (`int8_check`), and answers on CPUs where both pass. `teacher_ms_per_text` and
   `student_ms_per_text`: one text at a time on the CPU, as each would serve there
   (`teacher_precision`, `student_precision`: "int8" or "full").
4. The folder is a run folder like train's (Predictor and pipeline() load it).
"""

import json
import math
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from finetune import quantize, rundir
from finetune.errors import Canceled, FinetuneError
from finetune.mapping import ColumnMapping
from finetune.modeling import load_trained, model_class, pad_batch, pick_device
from finetune.splits import split_table
from finetune.tasks import get_task
from finetune.train import TrainConfig

METRIC_POINTS = 0.015  # the student's headline figure may be at most 1.5 points worse
TIMED_TEXTS = 40  # test texts timed one at a time for the speeds
# Teacher figures that describe its own run, not the student: left out of its metrics.json.
NOT_KEPT = ("int8_", "candidates", "served", "picked_by", "lora_", "continued_from")


@dataclass
class DistillConfig:
    layers: int = 0  # the student's layers; 0: half the teacher's (rounded up)
    epochs: int = 4  # passes over the rows
    learning_rate: float = 1e-4
    temperature: float = 2.0  # how much the teacher's answers are softened
    batch_size: int = 16
    seed: int = 42
    device: str = "auto"

    def to_dict(self) -> dict:
        return dict(vars(self))


@dataclass
class DistillResult:
    out_dir: Path
    metrics: dict


def student_of(teacher, layers: int = 0):
    """A copy of `teacher` with `layers` of its layers (0: half, rounded up), picked evenly
    from the first one (every other one for half), with every other weight as it is."""
    import torch

    config = teacher.config
    count = getattr(config, "num_hidden_layers", None)
    if not count:
        raise FinetuneError(
            "This model does not say how many layers it has, so it cannot be made smaller."
        )
    layers = layers or math.ceil(count / 2)
    if not 0 < layers < count:
        raise FinetuneError(
            f"The smaller model needs fewer layers than this model's {count}: pick 1 to {count - 1}."
        )
    if layers * 2 - 1 <= count:  # every other layer, from the first
        keep = [2 * i for i in range(layers)]
    else:  # spread evenly, the first and the last among them
        keep = sorted({round(i * (count - 1) / (layers - 1)) for i in range(layers)})
    small = type(config).from_dict(config.to_dict() | {"num_hidden_layers": layers})
    student = type(teacher)(small)
    pattern = re.compile(r"^(.*\.layers?)\.(\d+)\.(.+)$")
    own = student.state_dict()
    weights = {}
    for name, value in teacher.state_dict().items():
        found = pattern.match(name)
        if found and int(found[2]) in keep:
            name = f"{found[1]}.{keep.index(int(found[2]))}.{found[3]}"
        elif found:
            continue
        if name in own and own[name].shape == value.shape:
            weights[name] = value
    missing = set(own) - set(weights)
    if missing:
        raise FinetuneError("The smaller model could not take the model's weights.")
    with torch.no_grad():
        student.load_state_dict(weights)
    return student


def ms_per_text(predict, texts: list[str]) -> float:
    """Milliseconds per text, one text at a time (after one warm-up)."""
    if not texts:
        return 0.0
    predict(texts[:1])
    started = time.perf_counter()
    for text in texts:
        predict([text])
    return round(1000 * (time.perf_counter() - started) / len(texts), 2)


def distill(run_dir, table, out_dir, *, unlabelled=None, config: DistillConfig | None = None,
            on_progress=None, should_cancel=None) -> DistillResult:  # fmt: skip
    """The student of the model in `run_dir`, trained on `table` (the file the teacher
    trained on) and `unlabelled` texts (a list of strings), saved in `out_dir`."""
    import torch
    from transformers import set_seed

    config = config or DistillConfig()
    canceled = should_cancel or (lambda: False)
    report = on_progress or (lambda done, total: None)
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    started = time.monotonic()
    if not rundir.is_complete(run_dir):
        raise FinetuneError(f'"{run_dir}" is not a LabelTune model folder (no labeltune.json).')
    info = rundir.read_info(run_dir)
    task = get_task(info["task"])
    mapping = ColumnMapping.from_dict(info["mapping"])
    trained = TrainConfig.from_dict(info["config"])
    head = info["head"]
    device = pick_device(config.device)
    teacher, tokenizer, _ = load_trained(run_dir, device, auto_class=model_class(task))
    set_seed(config.seed)
    student = student_of(teacher, config.layers).to(device)

    # 1. The rows: the teacher's split again; its training rows and the unlabelled texts.
    _, splits = split_table(task, table, mapping, trained)
    texts, pairs = list(splits.train.texts), splits.train.text_pairs
    extra = [str(t) for t in (unlabelled or []) if str(t).strip()]
    texts += extra
    pairs = None if pairs is None else list(pairs) + [""] * len(extra)
    rows = task.model_inputs(tokenizer, texts, pairs, head, trained.max_length)
    if not rows:
        raise FinetuneError("The file has no training rows the model can read.")

    # 2. Learn the teacher's answers.
    fitted = _fit(task, teacher, student, tokenizer, rows, config, device, report, canceled)

    # 3. Both on the teacher's test rows, and their speeds.
    test = splits.test

    def answers(model):
        outputs = task.run_model(model, tokenizer, test.texts, test.text_pairs,
                                 max_length=trained.max_length, device=device)  # fmt: skip
        return task.postprocess(outputs, head)

    teacher_answers, student_answers = answers(teacher), answers(student)
    name = task.primary_metric
    before = task.metrics(test.targets, teacher_answers, head)
    after = task.metrics(test.targets, student_answers, head)
    drop = quantize.drop(task, before[name], after[name])
    kept = {k: v for k, v in _teacher_metrics(run_dir).items() if not k.startswith(NOT_KEPT)}
    metrics = kept | {f"test_{k}": v for k, v in after.items()}
    metrics |= {f"teacher_test_{k}": v for k, v in before.items()}
    metrics |= {
        "distill_ok": bool(drop <= METRIC_POINTS),
        "distill_agreement": round(quantize.agreement(task, teacher_answers, student_answers), 4),
        "distilled_from": run_dir.name,
        "teacher_layers": teacher.config.num_hidden_layers,
        "student_layers": student.config.num_hidden_layers,
        "distill_rows": len(splits.train),
        "distill_unlabelled_rows": len(extra),
        "distill_settings": config.to_dict(),
        "best_epoch": config.epochs,
        "epochs_run": config.epochs,
        "train_seconds": round(fitted, 1),
        "device": device.type,
    }
    if task.int8_safe:
        int8 = task.postprocess(task.run_model(
            quantize.int8_copy(student), tokenizer, test.texts, test.text_pairs,
            max_length=trained.max_length, device=torch.device("cpu")), head)  # fmt: skip
        metrics |= int8_check(task, head, teacher_answers, student_answers, int8, test.targets)
    student.to("cpu").eval()
    rundir.write(
        out_dir, model=student, tokenizer=tokenizer, task=task, head=head, mapping=mapping,
        config=replace(trained, method="full"),
        health=_Saved(rundir.read_json(run_dir, "health.json")),
        metrics=metrics, history=[], test=test, test_predictions=student_answers,
        evaluation=task.evaluation(test.targets, student_answers, head),
        row_number=table.row_number if hasattr(table, "row_number") else (lambda i: i + 2),
    )  # fmt: skip
    metrics |= _speeds(out_dir, run_dir, test.texts)
    metrics["total_seconds"] = round(time.monotonic() - started, 1)
    metrics = rundir.finite(metrics)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return DistillResult(out_dir, metrics)


def int8_check(task, head, teacher: list, student: list, int8: list, targets: list) -> dict:
    """The student's int8 copy, judged as the student is: against the teacher. It passes
    (`int8_ok`) when the student passes and the copy's headline figure is within
    METRIC_POINTS of the teacher's; `int8_teacher_agreement` is its share of the teacher's
    answers, `int8_agreement` (quantize.compare) its share of the full student's. A student
    is a different model from the one the user trained, accepted for its figures; holding
    its int8 copy to 99% of the student's own answers, as a trained model's copy is held to
    that model's, asked more of it than of the student (bench/RESULTS.md: a 3-layer SST-2
    student's copy gave the student's answer on 98.3% of the test rows, 0.2 points above the
    teacher's accuracy, at 3.2 times the teacher's speed per text)."""
    found = quantize.compare(task, head, student, int8, targets)
    name = task.primary_metric
    teacher_figure = task.metrics(targets, teacher, head)[name]
    student_figure = task.metrics(targets, student, head)[name]
    found["int8_ok"] = bool(
        quantize.drop(task, teacher_figure, student_figure) <= METRIC_POINTS
        and quantize.drop(task, teacher_figure, found[f"int8_test_{name}"]) <= METRIC_POINTS
    )
    found["int8_teacher_agreement"] = round(quantize.agreement(task, teacher, int8), 4)
    return found


class _Saved(dict):
    """The teacher's data report as read from its folder, written again as it is."""

    def to_dict(self) -> dict:
        return dict(self)


def _teacher_metrics(run_dir) -> dict:
    return rundir.read_json(run_dir, "metrics.json")


def _speeds(out_dir: Path, run_dir: Path, texts: list[str]) -> dict:
    """Both models as the CPU serves them (int8 where approved), one text at a time."""
    from finetune.predict import Predictor

    timed = list(texts[:TIMED_TEXTS])
    found = {}
    for who, folder in (("teacher", run_dir), ("student", out_dir)):
        predictor = Predictor.load(folder, device="cpu", candidate=False)
        found[f"{who}_ms_per_text"] = ms_per_text(predictor.predict, timed)
        found[f"{who}_precision"] = predictor.precision
    return found


def _fit(task, teacher, student, tokenizer, rows, config, device, report, canceled) -> float:
    """Train `student` on the teacher's logits for `rows`; the seconds it took."""
    import torch

    started = time.monotonic()
    lengths = [len(row["input_ids"]) for row in rows]
    encoded = {key: [row[key] for row in rows] for key in rows[0]}
    optimizer = torch.optim.AdamW(student.parameters(), lr=config.learning_rate)
    generator = np.random.default_rng(config.seed)
    batches = math.ceil(len(rows) / config.batch_size)
    teacher.eval()
    for epoch in range(config.epochs):
        student.train()
        order = generator.permutation(len(rows))
        for b in range(batches):
            if canceled():
                raise Canceled()
            chunk = order[b * config.batch_size : (b + 1) * config.batch_size]
            batch = {k: v.to(device) for k, v in
                     pad_batch(encoded, chunk, lengths, tokenizer.pad_token_id).items()}  # fmt: skip
            with torch.no_grad():
                wanted = task.read_outputs(teacher(**batch)).float()
            got = task.read_outputs(student(**batch)).float()
            loss = task.soft_loss(got, wanted, batch.get("attention_mask"), config.temperature)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            report(epoch * batches + b + 1, config.epochs * batches)
    student.eval()
    return time.monotonic() - started


# The command line: python -m finetune distill (finetune/cli.py adds it).


def add_command(commands) -> None:
    """The `distill` command on finetune.cli's subparsers."""
    p = commands.add_parser(
        "distill",
        help="make a smaller, faster copy of a trained model",
        description="Train a model with fewer layers to give the answers a trained model "
        "gives, check it on that model's test rows, and save it as a model folder.",
    )
    p.add_argument("model", help="the folder a training run saved (its --out)")
    p.add_argument("--data", required=True, metavar="FILE",
                   help="the file that model was trained on (its training rows are used)")  # fmt: skip
    p.add_argument("--sheet", help="for workbooks: the sheet of FILE to read")
    p.add_argument("--unlabelled", metavar="FILE",
                   help="more texts of the same kind, without labels (the same text column)")  # fmt: skip
    p.add_argument("--out", required=True, help="the folder to save the smaller model in")
    defaults = DistillConfig()
    p.add_argument("--layers", type=int, default=0,
                   help="the smaller model's layers (default: half of the model's)")  # fmt: skip
    p.add_argument("--epochs", type=int, default=defaults.epochs,
                   help=f"passes over the rows (default: {defaults.epochs})")  # fmt: skip
    p.add_argument("--learning-rate", type=float, default=defaults.learning_rate,
                   help=f"(default: {defaults.learning_rate})")  # fmt: skip
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"],
                   help="where to train (default: a GPU when there is one)")  # fmt: skip


def unlabelled_texts(path, run_dir) -> list[str]:
    """The texts of a file without labels, from the column the model reads."""
    from finetune.data import read_table

    info = rundir.read_info(run_dir)
    column = get_task(info["task"]).scoring_column(ColumnMapping.from_dict(info["mapping"]))
    frame = read_table(path).frame
    if column not in frame.columns:
        raise FinetuneError(
            f'The file of texts without labels has no column "{column}". Give it the column '
            "of texts the model was trained on."
        )
    return frame[column].astype(str).tolist()


def run_command(args) -> int:
    from finetune.data import read_table

    table = read_table(args.data, sheet=args.sheet)
    extra = unlabelled_texts(args.unlabelled, args.model) if args.unlabelled else None
    config = DistillConfig(layers=args.layers, epochs=args.epochs,
                           learning_rate=args.learning_rate, device=args.device)  # fmt: skip
    result = distill(args.model, table, args.out, unlabelled=extra, config=config)
    task = get_task(rundir.read_info(args.model)["task"])
    for line in summary(result.metrics, task):
        print(line)
    print(f"Saved the smaller model in {result.out_dir}")
    return 0


def summary(metrics: dict, task) -> list[str]:
    """What the student does against its teacher, in plain sentences."""
    student = ", ".join(f"{n} {v}" for n, v in task.headline(metrics))
    teacher = {
        k.removeprefix("teacher_"): v for k, v in metrics.items() if k.startswith("teacher_")
    }
    before = ", ".join(f"{n} {v}" for n, v in task.headline(teacher))
    speed = (f"{metrics['student_ms_per_text']:g} ms per text against "
             f"{metrics['teacher_ms_per_text']:g} ms")  # fmt: skip
    layers = f"{metrics['student_layers']} layers instead of {metrics['teacher_layers']}"
    verdict = (
        "It passes: it may answer instead of the model."
        if metrics["distill_ok"]
        else "It does not pass: its figures are more than 1.5 points below the model's, so "
        "keep the model."
    )
    lines = [f"The smaller model ({layers}): {student}; the model: {before}; {speed}.", verdict]
    return lines + [sentence] if (sentence := int8_sentence(metrics, task)) else lines


def int8_sentence(metrics: dict, task) -> str:
    """One sentence on the student's int8 copy when it answers on CPUs; "" otherwise."""
    figure = metrics.get(f"int8_test_{task.primary_metric}")
    if not metrics.get("int8_ok") or figure is None:
        return ""
    same = quantize.share_words(metrics.get("int8_teacher_agreement") or 0)
    return (
        f"On processors its compact int8 copy answers, at the speed above: {task.metric_title} "
        f"{task.format_metric(figure)}, the model's answer on {same} of the test rows."
    )
