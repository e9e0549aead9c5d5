"""The roles a column (or a choice) can play for a task, as small specs the task declares.

    Role("entities", "Entities column", help="...", flag="--entities")
    task.roles                 # its roles, in the order a form shows them
    ROLE_NAMES["text_pair"]    # "second text": a role in a sentence

A spec drives the mapping (finetune.mapping.ColumnMapping keeps the roles of this module's
common ones as fields and every other role in its `roles` dict), the web app's mapping form
and the command line's flags (finetune.cli). `register` is called for every role of a task
when the task is registered (finetune.tasks.register_task).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

COLUMN, COLUMNS, CHOICE, VALUE = "column", "columns", "choice", "value"
KINDS = (COLUMN, COLUMNS, CHOICE, VALUE)


@dataclass(frozen=True)
class Role:
    name: str  # its key in the mapping: mapping.role(name)
    title: str  # plain title, as a form labels it ("Entities column")
    help: str = ""  # one sentence saying what goes there
    kind: str = COLUMN  # one column, several columns, a choice among `choices`, a value
    flag: str = ""  # its command-line flag ("--entities"); "": none
    required: bool = False
    answer: bool = False  # its columns hold what the model learns to answer (labels, tags)
    choices: tuple[tuple[str, str], ...] = ()  # (value, words), for kind "choice"
    words: str = ""  # the role in a sentence ("the entities" reads "entities"); default: name
    # What the text column is called while this role is filled (tags: "token" or "tokens"),
    # from the mapping; None: "text".
    text_words: Callable | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Role kind {self.kind!r} is not one of {KINDS}.")

    @property
    def in_words(self) -> str:
        return self.words or self.name.replace("_", " ")

    @property
    def is_column(self) -> bool:
        """Whether its value names columns of the table (checked to exist, listed as used)."""
        return self.kind in (COLUMN, COLUMNS)


TEXT = Role("text", "Text column", "The text the model reads.", flag="--text", required=True)
TEXT_PAIR = Role(
    "text_pair", "Second text column", "For pairs of texts, like a question and an answer.",
    flag="--text-pair", words="second text",
)  # fmt: skip
LABEL = Role(
    "label", "Label column",
    "The answer the model should learn: a label, several labels, or a number.", flag="--label",
    answer=True,
)  # fmt: skip
LABELS = Role(
    "labels", "Or one 0/1 column per label",
    "Tick the columns that say 1 (or yes, x) when a row has that label.", kind=COLUMNS,
    words="label columns", answer=True,
)  # fmt: skip
LABEL_SEPARATOR = Role(
    "label_separator", "Labels in one cell are separated by",
    "Only when one column lists several labels per row.", kind=CHOICE,
    flag="--label-separator", choices=(("", "Detect it"), (";", "; (semicolon)"), ("|", "| (bar)"), (",", ", (comma)")),
    words="label separator",
)  # fmt: skip
SPLIT = Role(
    "split", "Split column",
    'Says "train", "validation" or "test" for each row; leave empty to split 80/10/10.',
    flag="--split-column",
)  # fmt: skip
COMMON = (TEXT, TEXT_PAIR, LABEL, LABELS, LABEL_SEPARATOR, SPLIT)  # ColumnMapping's own fields

ROLES: dict[str, Role] = {role.name: role for role in COMMON}  # every registered role by name
ROLE_NAMES: dict[str, str] = {role.name: role.in_words for role in COMMON}


def register(role: Role) -> None:
    """Make `role` known to mappings (columns it names count as used) and to sentences."""
    known = ROLES.get(role.name)
    if known is not None and known.kind != role.kind:
        raise ValueError(f'The role "{role.name}" is already a {known.kind}, not a {role.kind}.')
    ROLES.setdefault(role.name, role)
    ROLE_NAMES.setdefault(role.name, role.in_words)


def unregister(names) -> None:
    """Forget roles no registered task has any more (the common ones stay)."""
    common = {role.name for role in COMMON}
    for name in names:
        if name not in common:
            ROLES.pop(name, None)
            ROLE_NAMES.pop(name, None)
