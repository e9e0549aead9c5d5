"""The prediction API: /api/v1/models, /models/<uuid>/predict, /models/<uuid>/batches,
/batches/<uuid>, /openapi.json. Built with django-ninja, which turns the typed schemas in
schemas.py into an exact OpenAPI 3 document.

    curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
         -d '{"inputs": ["Great product"]}' https://host/api/v1/models/<uuid>/predict

Every object is fetched with webapp.accounts.access.get_for_user(token.team, ...): another team's model
answers 404 exactly like a missing one. Errors are {"detail": "<plain sentence>"}. Each
operation's document lists every status it can answer and why (answers.py), and the rules no
schema can say (pairs only for pair models, which files a batch takes) in its description;
tests/webapp/test_api_document.py holds the answers to the live document.
"""

from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import File, NinjaAPI
from ninja.errors import HttpError
from ninja.files import UploadedFile

from finetune import FinetuneError
from finetune.data import SUPPORTED_SUFFIXES
from finetune.tasks import TASKS
from lib import files
from lib.uploads import MB, too_large_message
from webapp.accounts.access import get_for_user, role_in
from webapp.accounts.models import Activity, Role, role_at_least
from webapp.api import schemas
from webapp.api.answers import answers
from webapp.api.auth import TokenAuth, TokenThrottle
from webapp.api.errors import install_error_handlers
from webapp.api.schemas import (
    MAX_INPUTS,
    BatchOut,
    ModelOut,
    PredictIn,
    PredictOut,
    VersionOut,
)
from webapp.catalog.faster import served_folder
from webapp.catalog.forms import BatchForm
from webapp.catalog.models import BatchPrediction, ModelVersion, TrainedModel
from webapp.catalog.predictors import get_predictor, prediction_slot
from webapp.catalog.versions import promote
from webapp.runs.models import RunStatus

PREDICT_FAILED = "The model could not answer right now. Try again in a minute."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORED_TYPES = {  # a batch's scored file: workbooks come back as .xlsx, text files as they came
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".xlsx": XLSX,
}
FILE_KINDS = f"{', '.join(SUPPORTED_SUFFIXES[:-1])} or {SUPPORTED_SUFFIXES[-1]}"
TOO_LARGE_BODY = f"a body over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // MB:,} MB"


class LabelTuneAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The document, with the answers of the tasks registered now (task_answers)."""
        task_answers()
        return super().get_openapi_schema(**kwargs)


api = LabelTuneAPI(
    title="LabelTune API",
    version="1",
    description="Predictions from your team's trained models. Send an API token of your "
    "team (made on the team's API tokens page) as `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    throttle=TokenThrottle(),
    urls_namespace="api",
    docs_url=None,
)
install_error_handlers(api)


def _model(request: HttpRequest, uuid) -> TrainedModel:
    return get_for_user(request.auth.team, TrainedModel, uuid, related=("run",))


def _version(model: TrainedModel, number: int | None = None) -> ModelVersion:
    """The version asked for by number, or the current one; 404 when there is no such one."""
    versions = model.versions.select_related("run", "made_current_by")
    if number is None:
        version = versions.filter(run_id=model.run_id).first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise HttpError(404, f"This model has no version {number}.")
    return version


def _version_out(version: ModelVersion, current_run_id: int) -> dict:
    figures = {k: v for k, v in version.run.metrics.items() if k.startswith("test_")}
    return {
        "number": version.number,
        "current": version.run_id == current_run_id,
        "created": version.created,
        "made_current": version.made_current,
        "made_current_by": getattr(version.made_current_by, "username", None),
        "run": version.run.uuid,
        "figures": {k: v for k, v in figures.items() if isinstance(v, int | float)},
    }


def _model_out(request: HttpRequest, model: TrainedModel, version: int | None = None) -> dict:
    info = model.info()
    url = request.build_absolute_uri(reverse("api:predict", args=[model.uuid]))
    return {
        "uuid": model.uuid,
        "name": model.name,
        "description": model.description,
        "task": info.get("task", model.run.task),
        "published": model.is_published,
        "labels": info.get("labels", []),
        "takes_pairs": model.takes_pairs,
        "created": model.created,
        "predict_url": url,
        "version": version or model.current_version.number,
    }


def _batch_out(request: HttpRequest, batch: BatchPrediction) -> dict:
    done = batch.status == RunStatus.FINISHED
    url = reverse("api:batch_download", args=[batch.uuid])
    return {
        "uuid": batch.uuid,
        "model": batch.model.uuid,
        "status": batch.status,
        "message": batch.message,
        "rows": batch.rows,
        "created": batch.created,
        "finished": batch.finished,
        "download_url": request.build_absolute_uri(url) if done else None,
    }


@api.get("/models", url_name="models", **answers({200: list[ModelOut]}, {}))
def list_models(request):
    """The models this token's team can use, published ones first."""
    models = TrainedModel.objects.catalogue(request.auth.team).select_related("run")
    current = dict(
        ModelVersion.objects.filter(model__in=models, run_id=F("model__run_id")).values_list(
            "model_id", "number"
        )
    )
    return [_model_out(request, m, current.get(m.pk)) for m in models]


@api.post(
    "/models/{uuid:uuid}/predict",
    url_name="predict",
    **answers(
        {200: PredictOut},  # one shape per task: task_answers() below puts them in its place
        {
            400: "The body is not JSON, a field is not valid (the detail names it), or an "
            "input does not fit the model: a model whose takes_pairs is true needs a "
            "text_pair in every input, and any other model takes none.",
            404: "No model with this id is available to this token's team, it has no such "
            "version, or its files are missing.",
            413: f"More than {MAX_INPUTS:,} inputs, or {TOO_LARGE_BODY}.",
            503: PREDICT_FAILED,
        },
    ),
)
def predict(request, uuid: UUID, body: PredictIn):
    """Label up to 1,000 inputs at once; one prediction per input, in the same order.

    Send texts as strings. A model that compares two texts (takes_pairs true in its listing)
    takes objects with text and text_pair instead, a text_pair in every one; any other model
    refuses a text_pair (400). More than 1,000 inputs answer 413. The current version answers
    unless `version` asks for another; `version` in the answer says which one did.
    """
    task_answers()
    model = _model(request, uuid)
    version = _version(model, body.version)
    try:
        predictor = get_predictor(served_folder(version.run))
    except (FinetuneError, OSError):
        raise HttpError(404, "This model's files are missing, so it cannot answer.")
    pairs = predictor.takes_pairs
    texts, text_pairs = [], []
    for i, item in enumerate(body.inputs):
        text, pair = (item, None) if isinstance(item, str) else (item.text, item.text_pair)
        if pairs and pair is None:
            raise HttpError(400, f"inputs[{i}] needs a text_pair: this model compares two texts.")
        if not pairs and pair is not None:
            raise HttpError(400, f"inputs[{i}] has a text_pair, but this model takes one text.")
        texts.append(text)
        text_pairs.append(pair)
    try:
        with prediction_slot():  # Busy (429, Retry-After) when the process is full
            answers = predictor.predict(texts, text_pairs if pairs else None)
    except FinetuneError as err:
        raise HttpError(400, str(err))
    except (OSError, RuntimeError, ValueError):
        raise HttpError(503, PREDICT_FAILED)
    return {"model": model.uuid, "version": version.number, "task": predictor.task.name,
            "answered_by": predictor.served, "predictions": answers}  # fmt: skip


ANSWERS_OF = {}  # the registered tasks whose answers the predict operation has now


def task_answers() -> None:
    """The predict operation answers one shape per registered task (schemas.predict_out); it is
    built again whenever a task was registered or taken away since (a test's own task)."""
    tasks = tuple(TASKS.items())
    if ANSWERS_OF.get("tasks") == tasks:
        return
    shape = schemas.predict_out()
    # ninja keeps the operation as declared and a copy of it per mount (its bound routers).
    for router in [api.default_router, *api._get_bound_routers()]:
        for view in router.path_operations.values():
            for operation in view.operations:
                if operation.view_func is predict:
                    operation.response_models[200] = operation._create_response_model(shape)
    ANSWERS_OF["tasks"] = tasks


@api.get(
    "/models/{uuid:uuid}/versions",
    url_name="versions",
    **answers({200: list[VersionOut]}, {404: "No model with this id is available to this team."}),
)
def list_versions(request, uuid: UUID):
    """The model's versions, oldest first, with their test figures and which one is current."""
    model = _model(request, uuid)
    versions = model.versions.select_related("run", "made_current_by")
    return [_version_out(v, model.run_id) for v in versions]


@api.post(
    "/models/{uuid:uuid}/versions/{int:number}/promote",
    url_name="promote",
    **answers(
        {200: VersionOut},
        {
            403: "The token was made by someone who is not a trainer or admin of the team "
            "(any more): only they may change which version answers.",
            404: "No model with this id is available to this token's team, or it has no "
            "such version.",
        },
    ),
)
def promote_version(request, uuid: UUID, number: int):
    """Make a version current: predictions, Try it and new batches answer with it from now on.
    An earlier version rolls the model back. The activity log says who did it (the token's
    owner, through the token)."""
    model = _model(request, uuid)
    owner = request.auth.created_by
    if owner is None or not role_at_least(role_in(owner, model.team_id) or "", Role.TRAINER):
        raise HttpError(403, "Only a trainer or admin of the team may change which version "
                        "answers; this token's owner is not one.")  # fmt: skip
    version = _version(model, number)
    promote(model, version, owner, through=request.auth.name)
    version.refresh_from_db()
    return _version_out(version, version.run_id)


@api.post(
    "/models/{uuid:uuid}/batches",
    url_name="batch_new",
    description="Score a spreadsheet in the background; poll the batch it answers. The "
    f"file's name says its kind, and must end in one of {FILE_KINDS} (400 otherwise). Its "
    "contents are read by the batch: a file that cannot be read ends the batch as failed, its "
    "message saying why.",
    **answers(
        {202: BatchOut},
        {
            400: f"No file was sent, or its name does not end in one of {FILE_KINDS}.",
            404: "No model with this id is available to this token's team.",
            413: f"The file is larger than {settings.MAX_UPLOAD_MB:,} MB, the most this server "
            "takes.",
        },
    ),
)
def new_batch(request, uuid: UUID, file: File[UploadedFile]):
    """Score a spreadsheet in the background (the document's description says the rules)."""
    model = _model(request, uuid)
    if file.size > settings.MAX_UPLOAD_MB * MB:
        raise HttpError(413, too_large_message(file.size))
    form = BatchForm(files={"file": file})
    if not form.is_valid():
        raise HttpError(400, form.errors["file"][0])
    with transaction.atomic():
        batch = BatchPrediction(
            team=model.team, model=model, original_name=file.name[:255], created_by=None
        )
        batch.input.save(file.name, file, save=False)
        batch.save()
        batch.start()
        Activity.record(model.team, None, f'scored "{batch.original_name}" with "{model.name}" '
                        f'through the API token "{request.auth.name}"')  # fmt: skip
    return 202, _batch_out(request, batch)


@api.get(
    "/batches/{uuid:uuid}",
    url_name="batch",
    **answers({200: BatchOut}, {404: "No batch with this id is available to this token's team."}),
)
def batch_state(request, uuid: UUID):
    """A batch's state and, once finished, where to download the scored file."""
    return _batch_out(request, get_for_user(request.auth.team, BatchPrediction, uuid))


@api.get(
    "/batches/{uuid:uuid}/download",
    url_name="batch_download",
    **answers(
        {},
        {
            404: "No batch with this id is available to this token's team, or it has not "
            "finished, or its scored file is gone."
        },
        {
            200: {
                "description": "The scored spreadsheet, as an attachment: a workbook comes "
                "back as .xlsx, a .csv, .tsv or .txt file as it came.",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in SCORED_TYPES.values()
                },  # fmt: skip
            },
            302: {
                "description": "Where files are kept in a bucket with presigned downloads on: "
                "the address to fetch the file from, in Location.",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
        },
    ),
)
def batch_download(request, uuid: UUID):
    """The uploaded spreadsheet with prediction columns added (xlsx in, xlsx out; csv in, csv out)."""
    batch = get_for_user(request.auth.team, BatchPrediction, uuid)
    if batch.status != RunStatus.FINISHED or not files.exists(batch.output_name):
        raise Http404
    response = files.download_response(batch.output_name, batch.download_name)
    if response.status_code == 200:  # the document's type, whatever this machine's mime.types
        response["Content-Type"] = SCORED_TYPES[batch.output_suffix]
    return response
