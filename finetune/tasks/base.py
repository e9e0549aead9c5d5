"""The shape every task shares, so the trainer, predictor, CLI and web pages never need to
know which task they run.

A task owns its problem type:
- roles: which columns it needs and accepts, as specs (`roles`: finetune.roles.Role) that
  drive the mapping, the mapping form and the command line's flags; how well a table suits
  it (`suits`: a score and a reason; `propose`: the mapping it would use), so finetune.suggest
  asks every registered task and names none;
- prepare: the user's table -> `Examples` (internal names, skipped rows with reasons);
- head: what the model's output layer means (`make_head`: labels; the regression scale),
  `model_kwargs` (size and `problem_type`), `encode_targets` (tensor-ready targets);
- the model's shape: `auto_model` (the transformers Auto class: one answer per text, or one
  per token), what it feeds the model and reads back (`target_key`: the targets' keyword;
  `read_outputs`: the logits), `encode` (rows -> the model's training inputs and targets),
  `target_tensor` (one batch's targets, padded as the task needs), `run_model` (texts -> the
  raw outputs `postprocess` reads; default: one row of logits per text);
- postprocess: raw outputs -> readable predictions, and `tune` (decision thresholds picked
  on the validation rows);
- scoring: `primary_metric` and `greater_is_better` (which epoch is best), `metrics` (a flat
  dict with stable keys), `evaluation` (detail for the evaluation page), `baselines`, and
  `candidates` (simpler models that serve when they do better: finetune/candidates.py);
- `health`: its section of the data report; `prediction_columns`: the columns it adds to a
  scored spreadsheet;
- its pages: `health_template`, `evaluation_template`, `try_template` and the plain data they
  show (`health_context`, `evaluation_context`, `try_context`), and `prediction_schema` (one
  answer, for the API's document).

The head is a plain dict saved in labeltune.json, so a run folder needs nothing else.
Add a task: subclass `Task`, fill these in, register it (`finetune.tasks.register_task`;
built-in ones are listed in `finetune/tasks/__init__.py`).
"""

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from finetune.candidates import joined
from finetune.mapping import ColumnMapping, TableLook
from finetune.roles import COMMON, LABEL, ROLE_NAMES, SPLIT, TEXT, TEXT_PAIR, Role

Head = dict  # {"labels": [...], ...task-specific keys}
COMMON_NAMES = {role.name for role in COMMON}


@dataclass
class Examples:
    """Usable rows of one table, already mapped from the user's columns to internal names."""

    rows: list[int]  # positions in the original frame, to point back at spreadsheet rows
    texts: list[str]
    targets: list  # raw target per row: a label, a list of labels, a number
    text_pairs: list[str] | None = None
    skipped: dict[str, list[int]] = field(default_factory=dict)  # reason -> frame positions

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, positions) -> "Examples":
        pick = list(positions)
        return Examples(
            rows=[self.rows[i] for i in pick],
            texts=[self.texts[i] for i in pick],
            targets=[self.targets[i] for i in pick],
            text_pairs=[self.text_pairs[i] for i in pick] if self.text_pairs else None,
        )

    def inputs(self) -> list[str]:
        """The whole input of each row (both texts of a pair), for duplicates and baselines."""
        return joined(self.texts, self.text_pairs)


@dataclass
class Suitability:
    """How well a table (or the user's choice of columns) suits a task: 0 not at all, 1 surely;
    one sentence saying why; from `Task.propose` also the mapping it would use and the reason
    per role."""

    score: float
    reason: str = ""
    mapping: ColumnMapping | None = None
    reasons: dict[str, str] = field(default_factory=dict)


class Task:
    name = ""
    title = ""  # plain words for the web and the CLI
    description = ""  # one sentence: what the model learns, for the task picker
    primary_metric = ""  # the validation metric that picks the best epoch
    compare_metric = ""  # the test figure compared with the TF-IDF baseline (default: primary)
    compare_title = ""  # that figure in words, as sentences name it ("macro-F1")
    metric_title = ""  # that metric in plain words, for the live curve
    greater_is_better = True
    metric_range: tuple[float, float] | None = (0.0, 1.0)  # for chart axes; None: fit the data
    pipeline_tag = "text-classification"
    pipeline_options: tuple[str, ...] = ()  # transformers.pipeline() arguments its answers need
    auto_model = "AutoModelForSequenceClassification"  # transformers class of its models
    label_words = "the labels"  # what the label column holds, in words
    labels_title = "Labels"  # the model's labels, as a heading
    example_noun = "row"  # what one example is to the user (plural: +s), as in "test rows"
    # Its roles, in the order a form shows them (finetune.roles); `required` ones must be set.
    roles: tuple[Role, ...] = (TEXT, replace(LABEL, required=True), TEXT_PAIR, SPLIT)
    # Its pages (templates/<this>; section 6 gives what they show): the data check (extends
    # the shared one), the evaluation page's task section ("": none), one answer of Try it.
    health_template = "spreadsheets/health.html"
    evaluation_template = ""
    try_template = "catalog/try/answer.html"

    # 1. Columns and rows

    @property
    def required_roles(self) -> tuple[str, ...]:
        return tuple(role.name for role in self.roles if role.required)

    @property
    def optional_roles(self) -> tuple[str, ...]:
        return tuple(role.name for role in self.roles if not role.required)

    def check_mapping(self, mapping: ColumnMapping) -> None:
        """Raise FinetuneError naming the missing role, in words."""
        from finetune.errors import FinetuneError

        for role in self.required_roles:
            if not mapping.role(role):
                what = self.label_words if role == "label" else f"the {ROLE_NAMES[role]}"
                raise FinetuneError(f"Pick the column that holds {what}.")

    def suits(self, sample: pd.DataFrame, mapping: ColumnMapping) -> Suitability:
        """How well the columns of `mapping` (the user's choice) suit this task, judged on
        `sample` (the table's first rows); default: not at all, so it is picked only by name."""
        return Suitability(0.0)

    def propose(self, look: TableLook) -> Suitability | None:
        """The mapping this task would use for a table, with how well it suits it (None: no
        mapping). Default: the text and label columns the column guess found, judged by
        `suits`."""
        mapping, reasons = look.label_mapping
        if mapping is None:
            return None
        fit = self.suits(look.sample, mapping)
        copy = ColumnMapping.from_dict(mapping.to_dict())  # the caller may add to it
        return Suitability(fit.score, fit.reason, copy, reasons | fit.reasons)

    cli_help = ""  # what its own command-line flags are for, in one sentence (finetune.cli)

    def cli_options(self) -> tuple[Role, ...]:
        """Its own command-line flags (finetune.cli adds them; `name` is where the value goes):
        by default its roles with a flag beyond the common ones."""
        return tuple(role for role in self.roles if role.flag and role.name not in COMMON_NAMES)

    def roles_from_cli(self, values: dict) -> dict:
        """The mapping its own flags name, as ColumnMapping keywords ({} when none is given);
        `values`: every flag's value by name ("text" among them)."""
        own = {o.name: values[o.name] for o in self.cli_options() if values.get(o.name)}
        return {"text": values.get("text"), **own} if own else {}

    def prepare(
        self, frame: pd.DataFrame, mapping: ColumnMapping, row_numbers: list[int] | None = None
    ) -> Examples:
        """The usable rows as Examples. `row_numbers`: the spreadsheet row of each frame row
        (finetune.data.Table.row_numbers), for tasks that read blank rows as breaks."""
        raise NotImplementedError

    def stratify_keys(self, targets: list) -> list[str]:
        """What splits keep in proportion; one key per row ("" keeps nothing)."""
        return [""] * len(targets)

    def scoring_column(self, mapping: ColumnMapping) -> str | None:
        """The column a file to score should have (the training file's text column); None
        when the training file's texts were not one per row."""
        return mapping.text

    # 2. The model's head

    def make_head(self, train: Examples, everything: Examples) -> Head:
        """The output layer's meaning, from the training rows (labels from every row, sorted)."""
        raise NotImplementedError

    def model_kwargs(self, head: Head) -> dict:
        raise NotImplementedError

    def encode_targets(self, targets: list, head: Head) -> list:
        raise NotImplementedError

    target_dtype = "int64"  # torch dtype of encoded targets, by name: "int64" or "float32"
    target_key = "labels"  # the model's keyword argument for one batch's targets in training

    def read_outputs(self, outputs):
        """The tensor to keep of the model's output (a transformers ModelOutput): its logits."""
        return outputs.logits

    def encode(self, tokenizer, examples: Examples, head: Head, max_length: int):
        """(one dict of model inputs per training row, one target per row), unpadded."""
        encoded = tokenizer(
            examples.texts, examples.text_pairs, truncation=True, max_length=max_length
        )
        rows = [{key: encoded[key][i] for key in encoded} for i in range(len(examples))]
        return rows, self.encode_targets(examples.targets, head)

    def target_tensor(self, targets: list, width: int):
        """One batch's encoded targets as a tensor; `width`: its inputs' padded length."""
        import torch

        return torch.tensor(targets, dtype=getattr(torch, self.target_dtype))

    def run_model(self, model, tokenizer, texts, pairs=None, *, max_length, device=None,
                  batch_size=64):  # fmt: skip
        """The model's raw outputs for `texts`, in the form `postprocess`, `tune` and
        `validation_loss` read (default: an array with one row of logits per text)."""
        from finetune.modeling import predict_logits

        return predict_logits(
            model, tokenizer, texts, pairs, max_length=max_length, device=device,
            batch_size=batch_size, read=self.read_outputs,
        )  # fmt: skip

    # 3. Outputs

    def postprocess(self, logits: np.ndarray, head: Head) -> list[dict]:
        raise NotImplementedError

    def tune(self, logits: np.ndarray, targets: list, head: Head) -> Head:
        """The head with settings picked on the validation rows (thresholds); default as is."""
        return head

    # finetune/distill.py: a smaller student learns this task's model's answers.

    def model_inputs(self, tokenizer, texts, pairs, head: Head, max_length: int) -> list[dict]:
        """One dict of model inputs per row the model reads for `texts` (labelled or not),
        unpadded, as `encode` makes them for training."""
        encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
        return [{key: encoded[key][i] for key in encoded} for i in range(len(texts))]

    def soft_loss(self, student, teacher, mask, temperature: float):
        """How far the student's logits are from the teacher's (torch tensors, one row per
        text, or per text and token, where `mask` (0/1 per token) says which tokens count):
        by default the KL divergence of their answers softened by `temperature`, times its
        square so the gradients keep their size."""
        import torch.nn.functional as F

        if student.dim() == 3:  # one answer per token: the real tokens only
            keep = mask.bool()
            student, teacher = student[keep], teacher[keep]
        soft = F.log_softmax(teacher / temperature, dim=-1)
        own = F.log_softmax(student / temperature, dim=-1)
        loss = F.kl_div(own, soft, log_target=True, reduction="batchmean")
        return loss * temperature**2

    int8_safe = True  # an int8 copy may serve it on CPUs once checked (finetune.quantize)
    offers_fixes = True  # finetune.fixes may offer its fixes (merge labels, drop rows...)
    # finetune.label_issues: how rows whose label looks wrong are found: "one" (one label per
    # row), "several" (a set of labels per row), "" (not checked; the report says so).
    label_check = ""
    # finetune.contrastive: up to how many training rows the base model first learns which
    # texts go together, from the pairs `similarity_pairs` makes (0: never).
    contrastive_rows = 0
    # The run page's sentence when it did ({pairs}: how many pairs).
    contrastive_sentence = ""

    def similarity_pairs(self, train: Examples, seed: int) -> list[tuple[str, str, float]]:
        """(text, text, how alike: 0 to 1) for finetune.contrastive; [] when the rows give
        none."""
        return []

    def init_head(self, model, head: Head, train_targets: list) -> None:
        """Set the fresh output layer's starting point before training (default: as loaded)."""

    def answer_key(self, prediction: dict):
        """What must be the same for two predictions to count as the same answer."""
        return prediction.get("label", tuple(prediction.get("labels", ())))

    def export(self, model, head: Head) -> Head:
        """Before saving: make the model answer on its own as `postprocess` does, where its
        weights can (pipeline() reads only the model); the head that goes with it after."""
        return head

    def reopen(self, head: Head, model=None) -> Head:
        """A saved head (and its model's output layer, when given) as they were before
        `export`, to train again from them (finetune/continual.py); default: as saved."""
        return head

    def grow_head(self, old: Head, fresh: Head) -> Head:
        """The head of a run that continues from an earlier model (finetune/continual.py):
        `old`'s outputs stay in their places and keep its settings (the regression scale);
        the labels only `fresh` (the new rows') has are appended after them."""
        added = [label for label in fresh["labels"] if label not in old["labels"]]
        return old | {"labels": [*old["labels"], *added]}

    def loss(self, logits: np.ndarray, encoded_targets: list) -> float:
        """The training loss on held-out rows: breaks ties between equally scored epochs."""
        raise NotImplementedError

    def validation_loss(self, outputs, targets: list, head: Head) -> float:
        """`loss` of `run_model`'s outputs against the raw targets of the same rows."""
        return self.loss(outputs, self.encode_targets(targets, head))

    def prediction_columns(
        self, predictions: list[dict], head: Head, texts: list[str] | None = None
    ) -> dict[str, list]:
        """Columns added to a scored spreadsheet, by name; `texts`: the inputs the
        predictions answer, for tasks whose columns quote them."""
        raise NotImplementedError

    # finetune.to_label: why this task's models cannot pick the rows to label next, in one
    # sentence for users; "" when `uncertainty` says how unsure each answer is.
    cannot_pick_rows = ""

    def uncertainty(self, predictions: list[dict], head: Head) -> list[float]:
        """How unsure the model is of each answer, from 0 (sure) to 1, to pick the rows to
        label next (finetune/to_label.py); default: 1 - the answer's confidence."""
        return [1.0 - float(p["confidence"]) for p in predictions]

    def target_column(self, targets: list) -> list:
        """The true answers as one column of the test-predictions file."""
        return list(targets)

    def is_correct(self, target, prediction: dict) -> bool | None:
        """Whether a test row was answered right (None where that makes no sense)."""
        return None

    # 4. Scores

    def metrics(self, targets: list, predictions: list[dict], head: Head) -> dict:
        """A flat dict with stable keys; `self.primary_metric` among them."""
        raise NotImplementedError

    def evaluation(self, targets: list, predictions: list[dict], head: Head) -> dict:
        """Detail for the evaluation page."""
        raise NotImplementedError

    def baselines(self, train: Examples, test: Examples, head: Head, fitted=None) -> dict:
        """Flat dict of simple baselines' figures on the same test rows, prefixed by name;
        a baseline among the `fitted` candidates is scored from that one, not fitted again."""
        raise NotImplementedError

    def candidates(self, train: Examples, validation: Examples | None, head: Head) -> list:
        """Simpler models fitted on the training rows (settings such as thresholds picked on
        the validation rows) that serve instead of the fine-tuned model when they do better
        on the validation rows (finetune.candidates.Candidate); default: none."""
        return []

    def base_model_candidates(
        self, base_model: str, train: Examples, validation: Examples, head: Head, tuned=None
    ) -> list:
        """Candidates that read the run's base model as downloaded, not fine-tuned
        (finetune/embeddings.py), and with `tuned` (a finetune.encoder.Encoder: the base
        model after the run's pairs training, finetune/contrastive.py) those that read it;
        default: none."""
        return []

    def headline(self, metrics: dict) -> list[tuple[str, str]]:
        """(plain name, formatted value) pairs for cards, lists and the CLI; test figures."""
        raise NotImplementedError

    # Each baseline in words, by the name its metrics carry (baseline_<name>_<metric>), for
    # the sentences that compare it with the model; an unnamed one goes by <name> ("Dictionary").
    baseline_names: dict[str, str] = {}
    # The baseline that always gives the same answer (a key of baseline_names; "" if none): a
    # model no better than it has not learned much (webapp/runs/caveats.py says so).
    simplest_baseline = ""

    def baseline_headline(self, metrics: dict) -> list[tuple[str, str]]:
        """(baseline in words, its primary figure formatted)."""
        raise NotImplementedError

    # 5. The data report

    def health(self, report, examples: Examples, mapping: ColumnMapping, row_number) -> None:
        """Add this task's section to `report` (finetune.health.HealthReport)."""
        raise NotImplementedError

    def report_lines(self, report) -> list[str]:
        """Its section of the data report as lines for the command line (`check`)."""
        return []

    def rows_in_words(self, report) -> str:
        """ "120 usable for training": the report's usable examples, for the command line."""
        return f"{report.rows_used} usable for training"

    def length_in_words(self, max_length) -> str:
        """What happens to long texts, for the model card's settings line."""
        return f"texts cut at {max_length} word pieces"

    def long_text_warning(self, count: int, size: str) -> str:
        """The report's sentence on `count` texts longer than the model reads (`size`, like
        "128 pieces of words"); by default the model reads only their beginning."""
        return (
            f"{count} text{'s are' if count != 1 else ' is'} longer than the model reads "
            f"({size}); only the beginning will be used."
        )

    def standard_error(self, figure: float, rows: int) -> float:
        """How far the compare metric measured on `rows` rows (rows > 0) may be from the truth
        by luck alone: for a score from 0 to 1, at most 0.5 / sqrt(rows) (a share's, at its
        widest). A task whose metric is something else says its own."""
        return 0.5 / np.sqrt(rows)

    def format_metric(self, value: float | None) -> str:
        """The primary metric as people read it: a percentage for 0-1 scores."""
        if value is None:
            return ""
        return percent(value) if self.metric_range == (0.0, 1.0) else f"{value:.3g}"

    # 6. Its pages: plain data for its templates (the web app renders them; no Django here)

    def health_context(self, health: dict) -> dict:
        """What `health_template` needs beside the report itself (`health`: its to_dict())."""
        return {}

    def mapping_as_found(self, mapping: ColumnMapping, health: dict) -> ColumnMapping:
        """The mapping to keep once the data check ran: a choice left to "Detect it" set to
        what the check found (default: as it is)."""
        return mapping

    def evaluation_context(self, evaluation: dict, predictions: list[dict], params) -> dict:
        """What `evaluation_template` shows: from evaluation.json, the test predictions (rows
        of test_predictions.csv; [] for a copy without them) and the page's query `params`
        (a mapping of strings, like ?true=&pred=)."""
        return {}

    def try_context(self, result: dict, head: Head) -> dict:
        """What `try_template` shows beside one answer (`result`): by default its confidence
        in percent and a bar per label, highest first, with each label's threshold."""
        from finetune.tasks.pages import answer_bars

        return answer_bars(result, head)

    def shown_labels(self, info: dict) -> list[str]:
        """What a model's page lists under `labels_title`, from its labeltune.json."""
        return list(info.get("labels", []))

    def prediction_schema(self):
        """One answer of `postprocess` as a pydantic model, for the API's document (pydantic
        comes with the web app; imported here only when asked). Default: a label and how
        sure the model is of it."""
        from finetune.tasks.pages import label_prediction

        return label_prediction(self, scores=False)


def label_kwargs(labels: list[str]) -> dict:
    """The model config's size and label names for a head of `labels`."""
    return {
        "num_labels": len(labels),
        "id2label": dict(enumerate(labels)),
        "label2id": {label: i for i, label in enumerate(labels)},
    }


def percent(x: float) -> str:
    """0.826 -> "82.6%", 0.8 -> "80%"."""
    return f"{100 * x:.1f}".removesuffix(".0") + "%"


def output_layer(model) -> tuple[str, object]:
    """(name, module) of the model's last linear layer: the head's outputs, one row per
    label; ("", None) when it has none."""
    import torch

    layers = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    return layers[-1] if layers else ("", None)
