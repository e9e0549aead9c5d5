"""Forms of the spreadsheets pages: the upload, and the column mapping with its task.

The task list comes from finetune.tasks.TASKS; the web pages switch a task on by adding
its name to ENABLED_TASKS once its pages exist. The others show as disabled choices.
"""

from django import forms

from finetune.tasks import TASKS
from lib.uploads import ACCEPT, check_spreadsheet_upload

ENABLED_TASKS = ("single_label",)  # tasks whose pages (mapping, run, evaluation) are built


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


class TaskSelect(forms.Select):
    """A select whose tasks that are not enabled yet show as disabled options."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value not in ENABLED_TASKS:
            option["attrs"]["disabled"] = True
        return option


def task_choices() -> list[tuple[str, str]]:
    names = sorted(TASKS, key=lambda name: (name not in ENABLED_TASKS, name))
    return [(name, TASKS[name].title) for name in names]


class MappingForm(forms.Form):
    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    task = forms.ChoiceField(label="What should the model do?", widget=TaskSelect)
    text_column = forms.ChoiceField(label="Text column", help_text="The text the model reads.")
    label_column = forms.ChoiceField(
        label="Label column", required=False, help_text="The answer the model should learn."
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        self.fields["task"].choices = task_choices()
        self.fields["text_column"].choices = [("", "Pick a column")] + choices
        self.fields["label_column"].choices = [("", "Pick a column")] + choices

    def clean_task(self) -> str:
        task = self.cleaned_data["task"]
        if task not in ENABLED_TASKS:
            raise forms.ValidationError("This task is not available yet. Pick another one.")
        return task

    def clean(self):
        data = super().clean()
        task, text, label = data.get("task"), data.get("text_column"), data.get("label_column")
        if task and TASKS[task].needs_label and not label:
            self.add_error("label_column", "Pick the column that holds the labels.")
        if text and label and text == label:
            self.add_error("label_column", "The text and the label must be different columns.")
        return data
