"""Picking the rows to label next: who may, and the model page's card. The rows themselves
are picked from a file of texts by a job on the predictions queue (finetune.to_label,
catalog.jobs.pick_rows) for a RowPick row (catalog.models), then downloaded from the model page.

    pick = RowPick.for_upload(model, user, upload, rows=50)   # a file uploaded on the model page
    pick = RowPick.for_batch(batch, user, rows=50)             # a file the model already scored
    pick.start()            # enqueued on the "predictions" queue once the transaction commits
    may_pick(user, model)   # trainers and admins, for a model whose task can say how sure it is
    pick_context(user, model)   # the model page's card: form, latest picks, columns to fill

The file picked from stays where it was uploaded (a batch's file is read where the batch keeps
it); the file to label is written beside it under picks/<uuid>/, in the format uploaded.
"""

from finetune.to_label import label_columns
from webapp.accounts.models import Role
from webapp.catalog.models import TrainedModel


def may_pick(user, model: TrainedModel) -> bool:
    """Whether `user` may pick rows to label with `model` (a trainer or admin of its team, and
    a task that can say how sure each answer is)."""
    trains = model.team.role_of(user) in (Role.TRAINER, Role.ADMIN)
    return trains and not model.run.the_task.cannot_pick_rows


def pick_context(user, model: TrainedModel) -> dict:
    """What the model page's "Pick rows to label" card needs (catalog/to_label.html): the
    form, the latest picks, and the columns the file leaves empty (the training data's label
    columns)."""
    from webapp.catalog.forms import PickForm

    mapping = model.run.column_mapping
    return {
        "can_pick": may_pick(user, model),
        "pick_form": PickForm(prefix="pick"),
        "picks": model.row_picks.all()[:10],
        "answer_columns": label_columns(mapping) if mapping else [],
    }
