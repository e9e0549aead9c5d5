"""The command line: check a spreadsheet, train a model, score a spreadsheet, pick the rows
to label next.

    python -m finetune check   reviews.xlsx --text review --label sentiment
    python -m finetune train   reviews.xlsx --text review --label sentiment --out runs/reviews
    python -m finetune train   reviews.xlsx --budget 30 --out runs/reviews   # up to 30 minutes
    python -m finetune train   tickets.csv --text body --label billing --label bug --out runs/t
    python -m finetune train   pairs.tsv --text sentence1 --text-pair sentence2 --label score \
                               --task regression --out runs/similarity
    python -m finetune train   news.csv --text sentence --entities names --out runs/names
    python -m finetune train   conll.xlsx --token word --tag tag --sentence sent --out runs/n
    python -m finetune train   lists.csv --tokens tokens --tags tags --out runs/n
    python -m finetune predict runs/reviews new_reviews.csv --out scored.xlsx
    python -m finetune pick    runs/reviews new_reviews.csv --rows 50 --out to_label.csv

--task auto (the default) picks the task the columns suggest and prints why.

Exit codes: 0 the command did what was asked; 1 it could not (the reason is printed in one
or two sentences); 2 the command line itself was wrong; 130 interrupted.
"""

import argparse
import json
import os
import sys
from dataclasses import fields

from finetune.errors import Canceled, FinetuneError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
AUTO = "auto"  # --task: the one the columns suggest


def build_parser() -> argparse.ArgumentParser:
    from finetune.basemodels import DEFAULT_BASE_MODEL
    from finetune.config import FIELD_HELP, TrainConfig
    from finetune.tasks import TASKS

    parser = argparse.ArgumentParser(
        prog="python -m finetune",
        description="Turn a labelled spreadsheet (CSV, TSV or Excel) into a fine-tuned text model.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def task_flags(p):
        """Each registered task's own flags (Task.cli_options), in a group named by it."""
        taken = {"text", "text_pair", "label", "label_separator", "sheet", "split_column", "task"}
        for task in TASKS.values():
            options = [o for o in task.cli_options() if o.name not in taken]
            if not options:
                continue
            group = p.add_argument_group(task.title.lower(), task.cli_help or None)
            for option in options:
                group.add_argument(option.flag, dest=option.name, help=option.help)
                taken.add(option.name)

    def data_args(p):
        p.add_argument("file", help="the spreadsheet: .csv, .tsv, .txt, .xlsx, .xls, .xlsb or .ods")
        p.add_argument("--text", help="the column that holds the texts (default: guessed)")
        p.add_argument("--text-pair", help="a second text column, for tasks on pairs of texts")
        p.add_argument(
            "--label",
            action="append",
            help="the column that holds the labels or the numbers; repeat it to name one 0/1 "
            "column per label for multi-label (default: guessed)",
        )
        p.add_argument(
            "--label-separator",
            help='multi-label in one column: what joins the labels, ";" "|" or "," '
            "(default: detected)",
        )
        task_flags(p)
        p.add_argument("--sheet", help="for workbooks: the sheet to read (default: the first one)")
        p.add_argument(
            "--split-column",
            help='a column saying "train", "validation" or "test" for each row (default: such '
            'a column when the file has one, else LabelTune splits 80/10/10; "none" for that)',
        )
        p.add_argument(
            "--task",
            default=AUTO,
            choices=[AUTO, *sorted(TASKS)],
            help="what to learn (default: auto, the task the columns suggest)",
        )

    check = commands.add_parser(
        "check",
        help="report on the data's health; trains nothing",
        description="Report on the data's health before training. "
        "Exits with 1 when something would stop training.",
    )
    data_args(check)
    check.add_argument(
        "--max-length",
        type=int,
        default=128,
        help="word pieces the model will read per text (default: 128)",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--label-issues",
        metavar="OUT",
        help="also look for labels that look wrong and write them, most suspicious first, "
        "to OUT (.csv or .xlsx): spreadsheet row, text, given label, suggested label, "
        "confidence, score",
    )
    check.add_argument(
        "--base-model",
        default=DEFAULT_BASE_MODEL,
        help="the model whose sentence embeddings --label-issues uses (default: the bundled "
        f"{DEFAULT_BASE_MODEL})",
    )

    train = commands.add_parser(
        "train",
        help="fine-tune a model and evaluate it",
        description="Fine-tune a base model on the spreadsheet, evaluate "
        "it on held-out rows and save everything in one folder.",
    )
    data_args(train)
    train.add_argument(
        "--out", required=True, help="the folder to save the model and its results in"
    )
    train.add_argument(
        "--base-model",
        default=DEFAULT_BASE_MODEL,
        help=f"a Hugging Face model id or a local model folder (default: the bundled "
        f"{DEFAULT_BASE_MODEL}, which works offline)",
    )
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        if f.name in FIELD_HELP:
            default = getattr(defaults, f.name)
            shown = "auto" if f.name in ("epochs", "learning_rate") and not default else default
            train.add_argument(
                f"--{f.name.replace('_', '-')}",
                type=type(default),
                default=default,
                metavar="quick|better|best|MINUTES" if f.name == "budget" else None,
                help=f"{FIELD_HELP[f.name]} (default: {shown})",
            )
    train.add_argument(
        "--device",
        default="auto",
        choices=["auto", "cuda", "cpu"],
        help="where to train (default: a GPU when there is one)",
    )
    improve = train.add_argument_group(
        "improve a model",
        "--from starts from a trained model's own weights, with its columns and settings "
        "(the settings you give change them); the file holds the new rows",
    )
    improve.add_argument("--from", dest="from_run", metavar="RUN_DIR",
                         help="the folder of the model to improve (its --out)")  # fmt: skip
    improve.add_argument(
        "--replay",
        metavar="OLD_FILE",
        help="the file that model was trained on: its training rows are replayed so the model "
        "keeps what it learnt, and it is scored on its test rows before and after",
    )
    improve.add_argument("--replay-sheet", help="for workbooks: the sheet of OLD_FILE to read")
    improve.add_argument(
        "--replay-share",
        type=float,
        default=None,
        help="old training rows replayed per new training row (default: 0.5, at most all)",
    )

    predict = commands.add_parser(
        "predict",
        help="add predictions to a spreadsheet",
        description="Score every row of a spreadsheet with a trained "
        "model; writes a copy with the model's answer columns added.",
    )
    predict.add_argument("model", help="the folder a training run saved (its --out)")
    predict.add_argument("file", help="the spreadsheet to score")
    predict.add_argument(
        "--out", required=True, help="where to write the scored copy (.csv or .xlsx)"
    )
    predict.add_argument(
        "--text", help="the text column (default: the one the model was trained on)"
    )
    predict.add_argument(
        "--text-pair", help="the second text column, for pair models (default: as trained)"
    )
    predict.add_argument("--sheet", help="for workbooks: the sheet to read")

    pick = commands.add_parser(
        "pick",
        help="pick the rows to label next",
        description="Of a spreadsheet without labels, pick the rows the model is least sure "
        "of, each unlike the others; writes them with an empty label column to fill in, the "
        "model's guess and how sure it is. Filled in, the file is training data.",
    )
    pick.add_argument("model", help="the folder a training run saved (its --out)")
    pick.add_argument("file", help="the spreadsheet of texts without labels")
    pick.add_argument("--rows", type=int, default=50, help="how many rows to pick (default: 50)")
    pick.add_argument("--out", required=True, help="where to write them (.csv or .xlsx)")
    pick.add_argument("--text", help="the text column (default: the one the model was trained on)")
    pick.add_argument(
        "--text-pair", help="the second text column, for pair models (default: as trained)"
    )
    pick.add_argument("--sheet", help="for workbooks: the sheet to read")
    from finetune import distill

    distill.add_command(commands)
    return parser


def main(argv=None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        args = build_parser().parse_args(argv)  # the tasks load here (LABELTUNE_TASKS too)
        from finetune import distill

        commands = {"check": run_check, "train": run_train, "predict": run_predict,
                    "pick": run_pick, "distill": distill.run_command}  # fmt: skip
        return commands[args.command](args)
    except Canceled as err:
        print(err.message, file=sys.stderr)
        return EXIT_FAILED
    except FinetuneError as err:
        print(f"Error: {err.message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _quiet_transformers() -> None:
    """Data people need our progress bar, not the library's loading reports."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _load(args):
    """(table, mapping, task name) from the command line, filling gaps from the suggestion."""
    from finetune.data import read_table
    from finetune.mapping import ColumnMapping
    from finetune.suggest import suggest

    table = read_table(args.file, sheet=args.sheet)
    if own := _own_roles(args):
        if not own.get("text"):
            raise FinetuneError("Name the column of texts with --text.")
        mapping = ColumnMapping(**own, split=_split_column(args, table))
        return table, mapping, _task_of(table, mapping, args.task)
    wants_guess = args.task == AUTO or not args.text or not args.label
    suggestion = suggest(table) if wants_guess else None
    guessed = suggestion.mapping if suggestion and suggestion.mapping else None
    split = _split_column(args, table, guessed)
    if guessed and guessed.roles and not args.label:  # a task's own roles: as guessed
        guessed.split = split
        guessed.text = args.text or guessed.text
        return table, guessed, _task_of(table, guessed, args.task)
    text = args.text or (guessed.text if guessed else None)
    if not text:
        raise FinetuneError("No text column was found. Name it with --text.")
    labels = args.label or []
    if args.label:
        label, many = (labels[0], []) if len(labels) == 1 else (None, labels)
    elif guessed:
        label, many = guessed.label, guessed.labels
    else:
        raise FinetuneError("No label column was found. Name it with --label.")
    mapping = ColumnMapping(
        text=text,
        text_pair=args.text_pair or (guessed.text_pair if guessed and not args.text else None),
        label=label,
        labels=many,
        label_separator=args.label_separator
        or (guessed.label_separator if guessed and guessed.label == label else None),
        split=split,
    )
    return table, mapping, _task_of(table, mapping, args.task)


def _split_column(args, table, guessed=None) -> str | None:
    """--split-column; without it, a column saying train / test for each row, as the web page
    guesses it (the suggestion's, when `guessed` holds one); "none": LabelTune's own split."""
    from finetune.columns import guess_split

    if args.split_column:
        return None if args.split_column.lower() == "none" else args.split_column
    if guessed is not None:
        return guessed.split
    used = {args.text, args.text_pair, *(args.label or []), *_own_roles(args).values()}
    return guess_split(table.frame, exclude=used)[0]


def _task_of(table, mapping, task: str) -> str:
    """The task asked for, or the one the columns in use suggest (said with its reason): the
    user's --label may not be the guessed one."""
    from finetune.suggest import task_for

    if task == AUTO:
        task, reason = task_for(table, mapping)
        print(f"Task: {task}. {reason}".strip(), file=sys.stderr)
    return task


def _own_roles(args) -> dict:
    """The roles a task's own flags name (Task.roles_from_cli), as ColumnMapping keywords;
    {} when no task's own flag is given."""
    from finetune.tasks import TASKS

    values = vars(args)
    for task in TASKS.values():
        if found := task.roles_from_cli(values):
            return found
    return {}


def run_check(args) -> int:
    from finetune.health import check

    table, mapping, task = _load(args)
    report = check(table, mapping, task=task, max_length=args.max_length)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    if args.label_issues and not write_label_issues(args, table, mapping, task):
        return EXIT_FAILED
    return EXIT_OK if report.ok else EXIT_FAILED


def write_label_issues(args, table, mapping, task: str) -> bool:
    """--label-issues: look for labels that look wrong and write them; False when the labels
    could not be checked (the reason is printed)."""
    from finetune.label_issues import check_labels, write_issues
    from finetune.tasks import get_task

    _quiet_transformers()
    the_task = get_task(task)
    examples = the_task.prepare(table.frame, mapping, row_numbers=table.row_numbers or None)
    found = check_labels(
        examples, the_task, base_model=args.base_model, row_number=table.row_number,
        max_length=args.max_length,
    )  # fmt: skip
    if not found.checked:
        print(f"Labels that look wrong: not written. {found.reason}", file=sys.stderr)
        return False
    write_issues(found, args.label_issues)
    print(
        f"Labels that look wrong: {found.found:,} of {found.rows_checked:,} rows, most "
        f"suspicious first, written to {args.label_issues} ({found.seconds:g} s)."
    )
    return True


def format_report(report) -> str:
    from finetune.tasks import get_task

    task = get_task(report.task)
    lines = [f"Rows: {report.rows_total} in the file, {task.rows_in_words(report)}."]
    lines += task.report_lines(report)  # the task's own section: labels, numbers, entities
    lines.append(f"Duplicate texts: {report.duplicate_texts}")
    if sizes := report.split_sizes:
        lines.append(
            f"Your split column: {sizes['train_rows']} to train, {sizes['validation_rows']} to "
            f"validate, {sizes['test_rows']} to test."
        )
    for warning in report.warnings:
        lines.append(f"Note: {warning}")
    if report.label_check:
        lines.append(report.label_check)
    for problem in report.problems:
        lines.append(f"Problem: {problem}")
    lines.append(
        "Ready to train." if report.ok else "Training cannot start until the problems are fixed."
    )
    return "\n".join(lines)


def run_train(args) -> int:
    from tqdm import tqdm

    from finetune.tasks import get_task
    from finetune.train import TrainConfig, train

    _quiet_transformers()
    settings = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    continued = None
    if args.from_run:
        table, continued = _continuation(args)
        mapping, task = continued.mapping, continued.task.name
        defaults = TrainConfig().to_dict()
        config = continued.settings({k: v for k, v in settings.items() if v != defaults[k]})
    else:
        table, mapping, task = _load(args)
        config = TrainConfig(**settings | {"task": task, "base_model": args.base_model})
    bar = tqdm(total=1, unit="step", desc="Loading", dynamic_ncols=True)

    def on_progress(p):
        if p.total_steps and bar.total != p.total_steps:
            bar.reset(total=p.total_steps)
        bar.set_description(
            {
                "loading": "Loading",
                "trying": "Trying learning rates",
                "training": f"Epoch {int(p.epoch) + 1 if p.epoch < p.epochs else p.epochs}/{p.epochs}",
                "evaluating": "Evaluating",
                "saving": "Saving",
            }[p.phase]
        )
        postfix = {}
        if p.loss is not None:
            postfix["loss"] = f"{p.loss:.3f}"
        if p.val_metric is not None:
            postfix[f"val {p.metric_name}"] = f"{p.val_metric:.3f}"
        bar.set_postfix(postfix, refresh=False)
        bar.update(p.step - bar.n)

    try:
        result = train(table, mapping, config, args.out, on_progress=on_progress,
                       continued=continued)  # fmt: skip
    finally:
        bar.close()
    the_task = get_task(task)
    figures = ", ".join(f"{name} {value}" for name, value in the_task.headline(result.metrics))
    baselines = ", ".join(
        f"{name} {value}" for name, value in the_task.baseline_headline(result.metrics)
    )
    for sentence in result.metrics.get("decisions", []):
        print(sentence)
    print(f"On {result.metrics['test_rows']} test rows: {figures}. Baselines: {baselines}.")
    if continued:
        from finetune.continual import before_and_after_words

        print(*before_and_after_words(result.metrics["continued_from"], the_task), sep="\n")
    print(f"Saved the model and its evaluation in {result.out_dir}")
    return EXIT_OK


def _continuation(args):
    """--from: (the new rows, a finetune.continual.Continuation with the old rows)."""
    from finetune.continual import REPLAY_SHARE, Continuation
    from finetune.data import read_table

    if args.text or args.label or args.task != AUTO:
        raise FinetuneError(
            "--from uses the columns and task of the model it improves. Leave out --text, "
            "--label and --task, and give the new file the same columns."
        )
    old = read_table(args.replay, sheet=args.replay_sheet) if args.replay else None
    share = REPLAY_SHARE if args.replay_share is None else args.replay_share
    return read_table(args.file, sheet=args.sheet), Continuation(args.from_run, old, share)


def run_predict(args) -> int:
    from finetune.predict import score_file

    _quiet_transformers()
    out = score_file(
        args.model,
        args.file,
        args.out,
        sheet=args.sheet,
        text_column=args.text,
        pair_column=args.text_pair,
    )
    print(f"Wrote {out}")
    return EXIT_OK


def run_pick(args) -> int:
    from finetune.to_label import pick_file

    _quiet_transformers()
    written = pick_file(
        args.model, args.file, args.out, args.rows, sheet=args.sheet, text_column=args.text,
        pair_column=args.text_pair,
    )  # fmt: skip
    rows = f"{written:,} row{'s' if written != 1 else ''}"
    print(f"Wrote the {rows} to label next, least sure first, to {args.out}")
    return EXIT_OK
