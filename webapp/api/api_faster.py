"""Make it faster over the API (webapp/catalog/faster.py): start a smaller copy of a model's
current version and read how it compares.

    POST /api/v1/models/{uuid}/faster     start one (trainers and admins; 202)
    GET  /api/v1/models/{uuid}/faster     the latest one of the current version

Accepting it (so that it answers) is done on the model page, where both figures are shown.
"""

from datetime import datetime
from uuid import UUID

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from finetune import FinetuneError
from webapp.accounts.access import get_for_user
from webapp.api.answers import answers
from webapp.api.api_loop import FORBIDDEN, trainer
from webapp.catalog.faster import Distillation, start_distillation
from webapp.catalog.models import TrainedModel

router = Router(tags=["Make it faster"])
NO_MODEL = "No model with this id is available to this token's team."
NONE_YET = "No smaller copy of this model's current version was made yet."


class FasterOut(Schema):
    uuid: UUID
    status: str = Field(description="created, queued, running, finished, failed or canceled.")
    message: str = Field(description="Why it failed, in a plain sentence; empty otherwise.")
    passed: bool = Field(description="Its headline figure is at most 1.5 points below the model's.")
    accepted: bool = Field(description="It answers instead of the model (set on the model page).")
    created: datetime
    finished: datetime | None
    metrics: dict = Field(
        description="Once finished: the smaller copy's metrics.json: test_* as the model's, "
        "teacher_test_* (the model's on the same rows), distill_agreement, "
        "teacher_ms_per_text and student_ms_per_text (as each answers on a CPU: "
        "teacher_precision, student_precision), teacher_layers and student_layers; int8_ok "
        "when the smaller copy's int8 copy answers on CPUs (int8_test_*, "
        "int8_teacher_agreement)."
    )


def faster_out(row: Distillation) -> dict:
    return {
        "uuid": row.uuid,
        "status": row.status,
        "message": row.message,
        "passed": row.passed,
        "accepted": row.accepted is not None,
        "created": row.created,
        "finished": row.finished,
        "metrics": row.metrics,
    }


@router.post(
    "/models/{uuid:uuid}/faster",
    url_name="faster",
    **answers(
        {202: FasterOut},
        {
            403: FORBIDDEN,
            404: NO_MODEL,
            409: "One is being made already, or the model has no rows of its own to learn from.",
        },
    ),  # fmt: skip
)
def faster_new(request, uuid: UUID):
    """Start making a smaller, faster copy of the model's current version, which learns its
    answers on the rows it was trained on; follow it with GET on the same address."""
    model = get_for_user(request.auth.team, TrainedModel, uuid, related=("run",))
    owner = trainer(request)
    try:
        row = start_distillation(model, owner)
    except FinetuneError as err:
        raise HttpError(409, str(err))
    return 202, faster_out(row)


@router.get(
    "/models/{uuid:uuid}/faster",
    url_name="faster_state",
    **answers({200: FasterOut}, {404: f"{NO_MODEL} Or: {NONE_YET}"}),
)
def faster_state(request, uuid: UUID):
    """The latest smaller copy of the model's current version: its status, and once finished
    its figures beside the model's and both times per text."""
    model = get_for_user(request.auth.team, TrainedModel, uuid, related=("run",))
    row = model.distillations.filter(run=model.run).first()
    if row is None:
        raise HttpError(404, NONE_YET)
    return faster_out(row)
