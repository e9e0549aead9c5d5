"""Forms of the spreadsheets pages: the upload, and the column mapping with its task.

The task list comes from finetune.tasks.TASKS; each task says which roles it needs
(Task.required_roles, optional_roles) and checks the mapping itself (Task.check_mapping).
"""

from django import forms

from finetune import FinetuneError
from finetune.mapping import ColumnMapping
from finetune.tasks import TASKS
from finetune.tasks.ner.layouts import ENTITY_FORMAT_HELP
from lib.uploads import ACCEPT, check_spreadsheet_upload


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "This file is empty. Check that you picked the right file.",
        },
    )

    def clean_file(self):
        return check_spreadsheet_upload(self.cleaned_data["file"])


SEPARATOR_CHOICES = [
    ("", "Detect it"),
    (";", "; (semicolon)"),
    ("|", "| (bar)"),
    (",", ", (comma)"),
]
ROLE_FIELDS = {  # form field -> the mapping role it fills
    "text_column": "text",
    "text_pair_column": "text_pair",
    "label_column": "label",
    "label_columns": "labels",
    "label_separator": "label_separator",
    "entities_column": "entities",
    "tags_column": "tags",
    "sentence_column": "sentence",
    "entity_layout": "entity_layout",
    "split_column": "split",
}
LAYOUT_CHOICES = [  # finetune.tasks.ner.layouts names; "" lets finetune detect the layout
    ("", "Detect it"),
    ("entities", "One row per text, entities listed"),
    ("token_rows", "One row per token"),
    ("token_lists", "Tokens and tags columns"),
]
OPTIONAL_COLUMNS = ("text_pair_column", "split_column", "entities_column", "tags_column",
                    "sentence_column")  # fmt: skip


def mapping_initial(mapping: dict) -> dict:
    """Form initial values from a stored ColumnMapping dict."""
    return {field: mapping.get(role) for field, role in ROLE_FIELDS.items() if mapping.get(role)}


def task_roles() -> dict[str, list[str]]:
    """Each task's form fields, for the page script that hides the others."""
    return {
        name: [f for f, role in ROLE_FIELDS.items()
               if role == "text" or role in (*task.required_roles, *task.optional_roles)]
        for name, task in TASKS.items()
    }  # fmt: skip


def task_choices() -> list[tuple[str, str]]:
    return [(name, task.title) for name, task in TASKS.items()]


class MappingForm(forms.Form):
    """The task and which column plays which role. Fields a task does not use are hidden by
    static/js/spreadsheet.js (from each option's data-roles) and ignored here."""

    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    task = forms.ChoiceField(label="What should the model do?")
    text_column = forms.ChoiceField(
        label="Text column",
        help_text="The text the model reads. For names given one word per row or as a list of "
        "words, the column of words.",
    )
    text_pair_column = forms.ChoiceField(
        label="Second text column (optional)",
        required=False,
        help_text="For pairs of texts, like a question and an answer.",
    )
    label_column = forms.ChoiceField(
        label="Label column",
        required=False,
        help_text="The answer the model should learn: a label, several labels, or a number.",
    )
    label_separator = forms.ChoiceField(
        label="Labels in one cell are separated by",
        required=False,
        choices=SEPARATOR_CHOICES,
        help_text="Only when one column lists several labels per row.",
    )
    label_columns = forms.MultipleChoiceField(
        label="Or one 0/1 column per label",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the columns that say 1 (or yes, x) when a row has that label.",
    )
    entity_layout = forms.ChoiceField(
        label="How are the names written?",
        required=False,
        choices=LAYOUT_CHOICES,
        help_text="Leave it on “Detect it” unless the check reads your file the wrong way.",
    )
    entities_column = forms.ChoiceField(
        label="Entities column",
        required=False,
        help_text=ENTITY_FORMAT_HELP,
    )
    tags_column = forms.ChoiceField(
        label="Tags column",
        required=False,
        help_text="One tag per word (B-PER, I-PER, O, or just PER): one per row beside the "
        "word column, or a space-separated list as long as the list of words.",
    )
    sentence_column = forms.ChoiceField(
        label="Sentence column (optional)",
        required=False,
        help_text="With one word per row: the sentence each row belongs to. Without it, a blank "
        "row ends a sentence.",
    )
    split_column = forms.ChoiceField(
        label="Split column (optional)",
        required=False,
        help_text='Says "train", "validation" or "test" for each row; leave empty to split 80/10/10.',
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        self.fields["task"].choices = task_choices()
        self.fields["task"].widget.attrs["id"] = "id_task"
        for name in ("text_column", "label_column", *OPTIONAL_COLUMNS):
            empty = "None" if name in OPTIONAL_COLUMNS else "Pick a column"
            self.fields[name].choices = [("", empty)] + choices
        self.fields["label_columns"].choices = choices

    def clean(self):
        data = super().clean()
        task = TASKS.get(data.get("task") or "")
        if task is None:
            return data
        roles = {"text", *task.required_roles, *task.optional_roles}
        mapping = {role: data.get(field) for field, role in ROLE_FIELDS.items() if role in roles}
        if mapping.get("labels"):
            mapping["label"] = None  # 0/1 columns win over a joined-labels column
        mapping = {k: v for k, v in mapping.items() if v}
        if not mapping.get("text"):
            return data
        try:
            data["mapping"] = ColumnMapping.from_dict(mapping)
            task.check_mapping(data["mapping"])
        except FinetuneError as err:
            self.add_error(None, str(err))
            return data
        used = data["mapping"].used()
        if len(used) != len(set(used)):
            self.add_error(None, "Each column can play only one part. Pick different columns.")
        return data
