"""The model page's "Improve this model" card (catalog/improve.html): who may improve the
model, the form, and the before and after of its latest improvement (webapp/catalog/improve.py
starts one)."""

from finetune.mapping import ColumnMapping
from webapp.accounts.models import Role
from webapp.catalog.forms import BatchForm
from webapp.catalog.models import TrainedModel
from webapp.runs.improving import before_after
from webapp.runs.models import NOT_FINAL, RunStatus


class ImproveForm(BatchForm):
    """The file of new rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Spreadsheet of new rows"


def may_improve(user, model: TrainedModel) -> bool:
    """A trainer or admin of the model's team, for a model trained by the team (a copy of
    another team's model holds none of its rows to replay)."""
    return model.team.role_of(user) in (Role.TRAINER, Role.ADMIN) and not model.is_copy


def improve_context(user, model: TrainedModel) -> dict:
    """The model page's "Improve this model" card and the latest improvement's before and
    after."""
    latest = model.improvements.filter(status=RunStatus.FINISHED).order_by("-finished").first()
    mapping = ColumnMapping.from_dict(model.run.mapping) if model.run.mapping else None
    return {
        "can_improve": may_improve(user, model),
        "improve_columns": [c for c in mapping.used() if c != mapping.split] if mapping else [],
        "improve_form": ImproveForm(prefix="improve"),
        "improving": model.improvements.filter(status__in=NOT_FINAL).first(),
        "improved": latest,
        "before_after": before_after(latest) if latest else None,
    }
