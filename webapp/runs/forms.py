"""The "Train a model" form: a base model from the catalogue and the training settings.

    form = NewRunForm(request.POST or None, task=sheet.task, initial_name="reviews")
    if form.is_valid():
        form.cleaned_data["config"]   # a finetune TrainConfig, already validated

Defaults come from finetune's TrainConfig and its one-line help from FIELD_HELP, so the
page always shows what training will really use. Each rendered page carries a fresh
`run_uuid`, the id its run will get: a second POST of the same page (a double click) finds
that run instead of starting another. `language_note(sheet.health)` is the sentence the
page shows while an English-first model is picked for text that is mostly Chinese (or
another script without spaces).
"""

import os
import uuid

from django import forms
from django.conf import settings

from finetune import FinetuneError, basemodels, lora
from finetune.config import FIELD_HELP, TrainConfig
from finetune.contrastive import MAX_TRAIN_ROWS as MAX_PAIRED_ROWS
from finetune.tasks import default_task_name
from finetune.tuning import BUDGET_WORDS
from finetune.vocabulary import UNKNOWN_WARNING

HUB_CHOICE = "hub"
LOCAL_PREFIX = "local:"
BASIC_FIELDS = ["budget", "epochs", "max_length"]
ADVANCED_FIELDS = [
    "learning_rate", "batch_size", "warmup_ratio", "weight_decay", "patience", "seed",
    "validation_fraction", "test_fraction", "max_steps", "extend_vocabulary", "contrastive",
    "method", "lora_rank", "lora_layers", "processes",
]  # fmt: skip
METHOD_FIELDS = {"lora_rank"}  # read only by one training method: may be left out
LABELS = {
    "budget": "Time budget",
    "epochs": "Epochs (0 = automatic)",
    "max_length": "Maximum text length",
    "learning_rate": "Learning rate (0 = automatic)",
    "batch_size": "Batch size",
    "warmup_ratio": "Warm-up share",
    "weight_decay": "Weight decay",
    "patience": "Patience (epochs)",
    "seed": "Random seed",
    "validation_fraction": "Validation share",
    "test_fraction": "Test share",
    "max_steps": "Step limit (0 = none)",
    "extend_vocabulary": "Add unknown characters",
    "contrastive": "Learn from pairs of rows first",
    "method": "Training method",
    "lora_rank": "LoRA rank",
    "lora_layers": "LoRA layers",
    "processes": "GPUs for this run (0 = all the worker has)",
}
CHOICES = {  # settings picked from a list; the values are TrainConfig's
    "budget": list(BUDGET_WORDS.items()),
    "extend_vocabulary": [
        ("auto", f"Automatic: when the model cannot read over {UNKNOWN_WARNING:.0%} of the text"),
        ("on", "Always"),
        ("off", "Never"),
    ],
    "contrastive": [
        ("auto", f"Automatic: one label per row, up to {MAX_PAIRED_ROWS} training rows"),
        ("on", "Always"),
        ("off", "Never"),
    ],
    "method": [
        ("full", "Full fine-tuning: every weight learns"),
        ("lora", "LoRA: small adapters learn, the base stays as it is"),
    ],
    "lora_layers": [
        ("all", "Every linear layer"),
        ("attention", "Attention only (query and value)"),
    ],
}


def model_options() -> list[dict]:
    """The catalogue for the page: bundled default first, local folders, then the hub box."""
    options = sorted(basemodels.CATALOG, key=lambda info: not info.bundled)
    rows = [
        info.to_dict()
        | {"value": info.id, "downloads": not basemodels.is_downloaded(info.id)}
        | {"lora_advice": lora.advice(info.params)}
        for info in options
    ]
    for info in basemodels.local_catalog(settings.LABELTUNE_LOCAL_MODELS_DIR):
        rows.append(info.to_dict() | {"value": LOCAL_PREFIX + info.name, "local": True})
    return rows


def language_note(health: dict | None) -> str:
    """One sentence for text mostly in a script without spaces between words (Chinese...):
    an English-first model reads little of it; which catalogue models read it. "" otherwise."""
    if not health or health.get("length_unit") != "characters":
        return ""
    script = health.get("script")
    others = " or ".join(m.name for m in basemodels.recommended_for(script))
    unknown, model = health.get("unknown_share"), health.get("unknown_model")
    figure = (
        f" ({model} does not know {round(100 * unknown)}% of these characters)"
        if unknown is not None and model
        else ""
    )
    return (
        f"This text is mostly {script or 'in a script without spaces between words'}, and the "
        f"model picked learned from English text and reads little of it{figure}: pick "
        f"{others}, which read it."
    )


def local_model_path(value: str) -> str | None:
    name = value.removeprefix(LOCAL_PREFIX)
    for info in basemodels.local_catalog(settings.LABELTUNE_LOCAL_MODELS_DIR):
        if info.name == name:
            return info.id
    return None


class NewRunForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name of the model")
    base_model = forms.ChoiceField(label="Base model")
    hub_id = forms.CharField(max_length=200, required=False, label="Hugging Face model id")
    run_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, task: str = "", initial_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task or default_task_name()
        self.options = model_options()
        self.fields["base_model"].choices = [(o["value"], o["name"]) for o in self.options] + [
            (HUB_CHOICE, "Any Hugging Face model id")
        ]
        self.fields["base_model"].initial = self.options[0]["value"]
        self.fields["name"].initial = initial_name
        self.fields["run_uuid"].initial = uuid.uuid4()  # new for every page shown
        defaults = TrainConfig()
        for name in BASIC_FIELDS + ADVANCED_FIELDS:
            default = getattr(defaults, name)
            described = {"label": LABELS[name], "initial": default, "help_text": FIELD_HELP[name]}
            if name in CHOICES:  # left out (an older page): the default
                self.fields[name] = forms.ChoiceField(
                    choices=CHOICES[name], required=False, **described
                )
            elif isinstance(default, float):
                self.fields[name] = forms.FloatField(**described)
            else:  # a LoRA-only number left out (full fine-tuning, an older page): the default
                required = name not in METHOD_FIELDS | {"processes"}  # processes: an older page
                self.fields[name] = forms.IntegerField(required=required, **described)

    @property
    def basic_fields(self):
        return [self[name] for name in BASIC_FIELDS]

    @property
    def advanced_fields(self):
        return [self[name] for name in ADVANCED_FIELDS]

    @property
    def chosen_model(self) -> str:
        return self["base_model"].value() or self.options[0]["value"]

    @property
    def chosen_english_first(self) -> bool:
        return any(o["value"] == self.chosen_model and o.get("english_first") for o in self.options)

    def clean_hub_id(self) -> str:
        value = self.cleaned_data["hub_id"].strip()
        if value and (not basemodels.HUB_ID.match(value) or ".." in value or os.path.isdir(value)):
            raise forms.ValidationError(
                'This is not a Hugging Face model id. Ids look like "distilbert-base-uncased" '
                'or "organisation/model-name".'
            )
        return value

    def clean(self):
        data = super().clean()
        choice = data.get("base_model")
        if choice == HUB_CHOICE:
            base_model = data.get("hub_id")
            if not base_model and "hub_id" not in self.errors:
                self.add_error(
                    "hub_id", "Type the id of a model on Hugging Face, or pick one above."
                )
        elif choice and choice.startswith(LOCAL_PREFIX):
            base_model = local_model_path(choice)
            if base_model is None:
                self.add_error("base_model", "This model folder is no longer on the server.")
        else:
            base_model = choice
        if self.errors:
            return data
        fields = BASIC_FIELDS + ADVANCED_FIELDS
        values = {name: data[name] for name in fields if data[name] not in ("", None)}
        try:
            data["config"] = TrainConfig(task=self.task, base_model=base_model, **values)
        except FinetuneError as err:
            raise forms.ValidationError(str(err)) from None
        return data
