"""Forms of the spreadsheets pages: the upload, and the column mapping with its task.

The task list comes from finetune.tasks.TASKS; each task declares its roles as specs
(Task.roles, finetune.roles.Role: title, help, one column, several, a choice or a value), from
which the mapping form builds one field per role, and checks the mapping itself
(Task.check_mapping).
"""

from django import forms

from finetune import FinetuneError
from finetune.mapping import ColumnMapping
from finetune.roles import CHOICE, COLUMN, COLUMNS, VALUE, Role
from finetune.tasks import TASKS
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


def mapping_roles() -> list[Role]:
    """Every registered task's roles, one per name, in an order that keeps each task's own
    order (a role goes where it comes earliest, as a share of its task's list)."""
    first, place = {}, {}
    for task in TASKS.values():
        for i, role in enumerate(task.roles):
            first.setdefault(role.name, role)
            place[role.name] = min(place.get(role.name, 1.0), i / len(task.roles))
    return sorted(first.values(), key=lambda role: place[role.name])


def field_name(role: Role) -> str:
    """The form field of a role: "text_column", "label_columns", "label_separator"."""
    if role.kind == COLUMN:
        return f"{role.name}_column"
    if role.kind == COLUMNS:
        return f"{role.name.removesuffix('s')}_columns"
    return role.name


def role_fields() -> dict[str, str]:
    """Form field -> the mapping role it fills."""
    return {field_name(role): role.name for role in mapping_roles()}


def mapping_initial(mapping: dict) -> dict:
    """Form initial values from a stored ColumnMapping dict."""
    return {field: mapping.get(role) for field, role in role_fields().items() if mapping.get(role)}


def task_roles() -> dict[str, dict[str, str]]:
    """Each task's form fields with the help it gives them, for the page script that hides
    the others and says each one's help as the task chosen says it."""
    return {
        name: {field_name(role): role.help for role in task.roles} for name, task in TASKS.items()
    }


def task_choices() -> list[tuple[str, str]]:
    return [(name, task.title) for name, task in TASKS.items()]


def role_field(role: Role, columns: list, required: bool) -> forms.Field:
    """The form field of one role (finetune.roles): a column, columns, a choice or a value.
    `required`: every task needs it; a column no task needs says so in its title."""
    options = {"label": role.title, "help_text": role.help, "required": required}
    if role.kind == COLUMNS:
        return forms.MultipleChoiceField(
            choices=columns, widget=forms.CheckboxSelectMultiple, **options | {"required": False}
        )
    if role.kind == CHOICE:
        return forms.ChoiceField(choices=role.choices, **options)
    if role.kind == VALUE:
        return forms.CharField(**options)
    optional = not any(role.name in task.required_roles for task in TASKS.values())
    empty = [("", "None" if optional else "Pick a column")]
    label = f"{role.title} (optional)" if optional else role.title
    return forms.ChoiceField(choices=empty + columns, **options | {"label": label})


class MappingForm(forms.Form):
    """The task and which column plays which role: one field per role of the registered
    tasks (Task.roles). Fields a task does not use are hidden by static/js/spreadsheet.js
    (from the task-roles data) and ignored here."""

    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    task = forms.ChoiceField(label="What should the model do?")

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        self.fields["task"].choices = task_choices()
        self.fields["task"].widget.attrs["id"] = "id_task"
        for role in mapping_roles():
            needed = all(role.name in task.required_roles for task in TASKS.values())
            self.fields[field_name(role)] = role_field(role, choices, needed)
        shown = TASKS.get(self.data.get("task") or self.initial.get("task") or "")
        for role in shown.roles if shown else ():  # its help, as the page script says it
            self.fields[field_name(role)].help_text = role.help

    def clean(self):
        data = super().clean()
        task = TASKS.get(data.get("task") or "")
        if task is None:
            return data
        roles = {role.name for role in task.roles}
        mapping = {role: data.get(field) for field, role in role_fields().items() if role in roles}
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
