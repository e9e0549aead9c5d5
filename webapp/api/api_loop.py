"""The improve loop over the API, beside the predictions (api.py): upload a spreadsheet, read
its suggested columns and data check, look for labels that look wrong, start a run with
columns and settings, follow it and read its metrics, improve a model with new rows. Making
a version current is api.py's promote.

    POST /api/v1/spreadsheets                       (multipart "file")
    GET  /api/v1/spreadsheets/{uuid}
    POST /api/v1/spreadsheets/{uuid}/label-check
    POST /api/v1/spreadsheets/{uuid}/runs
    GET  /api/v1/runs/{uuid}
    POST /api/v1/models/{uuid}/improve              (multipart "file")

The same roles as the pages, those of the token's owner in the token's team: spreadsheets,
runs and improving need a trainer or admin (403 otherwise); a run's state is for every
member. Another team's objects answer 404 like missing ones. The work is the pages' own code:
Spreadsheet.create_from_upload, MappingForm and check_mapping, LabelCheck.start_for,
start_blockers, NewRunForm and start_run, start_improving.
"""

from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from finetune import FinetuneError
from lib.uploads import MB, too_large_message
from webapp.accounts.access import get_for_user, role_in
from webapp.accounts.models import Activity, Role, role_at_least
from webapp.api.answers import answers
from webapp.api.schemas_loop import LabelCheckIn, RunIn, RunOut, SpreadsheetOut
from webapp.catalog.improve import COPY, start_improving
from webapp.catalog.improve_card import ImproveForm
from webapp.catalog.models import TrainedModel
from webapp.catalog.versions import run_model
from webapp.runs.forms import NewRunForm
from webapp.runs.models import RunStatus, TrainingRun
from webapp.runs.views import start_blockers, start_run
from webapp.spreadsheets.forms import MappingForm, UploadForm, mapping_initial
from webapp.spreadsheets.label_checks import LabelCheck
from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.reading import SheetRead
from webapp.spreadsheets.views import check_mapping
from webapp.spreadsheets.views_labels import NOT_READY, base_model_for

router = Router(tags=["The improve loop"])

TRAINERS_ONLY = (
    "Only a trainer or admin of the team may do this; this token's owner is not one. Ask an "
    "admin for the trainer role, or use a token of someone who has it."
)
FORBIDDEN = "The token was made by someone who is not a trainer or admin of the team (any more)."
NO_SHEET = "No spreadsheet with this id is available to this token's team."
TOO_LARGE_FILE = (
    f"The file is larger than {settings.MAX_UPLOAD_MB:,} MB, the most this server takes."
)
STILL_READING = "The file is still being read. Wait until its reading is false, then try again."
BEING_CHECKED = (
    "The data is being checked with these columns. Wait until its checking is false, then "
    "start the run again."
)


def trainer(request: HttpRequest):
    """The token's owner, a trainer or admin of the token's team; else 403."""
    owner = request.auth.created_by
    if owner is None or not role_at_least(role_in(owner, request.auth.team_id) or "", Role.TRAINER):
        raise HttpError(403, TRAINERS_ONLY)
    return owner


def _sheet(request: HttpRequest, uuid) -> tuple[Spreadsheet, object]:
    sheet = get_for_user(request.auth.team, Spreadsheet, uuid)
    return sheet, trainer(request)


def _size_cap(upload: UploadedFile) -> None:
    if upload.size > settings.MAX_UPLOAD_MB * MB:
        raise HttpError(413, too_large_message(upload.size))


def _label_check_out(sheet: Spreadsheet) -> dict | None:
    check = LabelCheck.latest_for(sheet)
    if check is None:
        return None
    stale = not check.fits(sheet)
    done = check.status == LabelCheck.Status.FINISHED and not stale
    return {
        "uuid": check.uuid,
        "status": check.status,
        "message": check.message,
        "stale": stale,
        "issues": check.open_issues(sheet) if done else [],
    }


def sheet_out(sheet: Spreadsheet) -> dict:
    read = sheet.latest_read
    reading = read is not None and read.kind == SheetRead.Kind.UPLOAD and not read.is_final
    suggestion = sheet.suggestion or {}
    return {
        "uuid": sheet.uuid,
        "name": sheet.name,
        "created": sheet.created,
        "reading": reading,
        "checking": sheet.checking and not reading,
        "message": read.message if read and read.status == SheetRead.Status.FAILED else "",
        "sheets": sheet.sheets,
        "sheet": sheet.sheet,
        "columns": sheet.columns,
        "row_count": sheet.row_count,
        "suggestion": None
        if reading
        else {
            "task": suggestion.get("task"),
            "mapping": suggestion.get("mapping") or {},
            "reason": suggestion.get("reason") or "",
        },  # fmt: skip
        "task": sheet.task,
        "mapping": sheet.mapping,
        "health": sheet.health,
        "ready": sheet.ready,
        "label_check": _label_check_out(sheet),
    }


def run_out(run: TrainingRun) -> dict:
    model = run_model(run) if run.status == RunStatus.FINISHED else None
    version = model.versions.filter(run=run).first() if model else None
    return {
        "uuid": run.uuid,
        "name": run.name,
        "task": run.task,
        "status": run.status,
        "message": run.message,
        "percent": run.percent,
        "epoch": run.current_epoch,
        "epochs": int(run.progress.get("epochs") or 0),
        "progress": run.progress,
        "spreadsheet": run.spreadsheet.uuid if run.spreadsheet else None,
        "improves": run.improves.uuid if run.improves else None,
        "model": model.uuid if model else None,
        "version": version.number if version else None,
        "created": run.created,
        "started": run.started,
        "finished": run.finished,
        "metrics": run.metrics if run.status == RunStatus.FINISHED else {},
    }


@router.post(
    "/spreadsheets",
    url_name="sheet_new",
    **answers(
        {201: SpreadsheetOut},
        {
            400: "No file was sent, its name does not end in a spreadsheet's suffix, or it "
            "cannot be read (the detail says why).",
            403: FORBIDDEN,
            413: TOO_LARGE_FILE,
        },
    ),
)
def upload_sheet(request, file: File[UploadedFile]):
    """Upload a spreadsheet of rows to train on (the field "file"). A small file is read at
    once; a big one in the background (reading is true: poll GET /spreadsheets/{uuid}).
    The answer has the task and columns LabelTune suggests."""
    owner = trainer(request)
    _size_cap(file)
    form = UploadForm(files={"file": file})
    if not form.is_valid():
        raise HttpError(400, form.errors["file"][0])
    try:
        sheet = Spreadsheet.create_from_upload(request.auth.team, owner, form.cleaned_data["file"])
    except FinetuneError as err:
        raise HttpError(400, str(err))
    sheet = Spreadsheet.objects.get(pk=sheet.pk)  # as read (here, or queued on the worker)
    Activity.record(sheet.team, owner, f'uploaded "{sheet.name}" through the API token '
                    f'"{request.auth.name}"')  # fmt: skip
    return 201, sheet_out(sheet)


@router.get(
    "/spreadsheets/{uuid:uuid}",
    url_name="sheet",
    **answers({200: SpreadsheetOut}, {403: FORBIDDEN, 404: NO_SHEET}),
)
def sheet_state(request, uuid: UUID):
    """A spreadsheet: whether it is still being read, its suggested task and columns, its
    last data check and its last look for labels that look wrong."""
    sheet, _ = _sheet(request, uuid)
    return sheet_out(sheet)


@router.post(
    "/spreadsheets/{uuid:uuid}/label-check",
    url_name="label_check",
    **answers(
        {202: SpreadsheetOut},
        {
            400: "The base model is not one of the Train page's list.",
            403: FORBIDDEN,
            404: NO_SHEET,
            409: NOT_READY,
        },
    ),
)
def start_label_check(request, uuid: UUID, body: LabelCheckIn):
    """Look for labels that look wrong, in the background (with the columns of the last data
    check); its state and rows come in GET /spreadsheets/{uuid} under label_check."""
    sheet, owner = _sheet(request, uuid)
    if not sheet.health or sheet.fixed_mapping is None:
        raise HttpError(409, NOT_READY)
    base_model = base_model_for(body.base_model)
    if base_model is None:
        raise HttpError(400, "Pick a base model of the Train page's list.")
    LabelCheck.start_for(sheet, owner, base_model)
    return 202, sheet_out(sheet)


def _check_columns(sheet: Spreadsheet, owner, body: RunIn) -> None:
    """Check the data with the task and columns asked for, as the spreadsheet page does when
    they differ from the last check's (the fixes, made for other columns, are undone)."""
    task = body.task or sheet.task
    data = mapping_initial(body.mapping or sheet.mapping) | {"sheet": sheet.sheet, "task": task}
    form = MappingForm(data, columns=sheet.columns)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        where = "" if field == "__all__" else f"The field {field} is not valid: "
        raise HttpError(400, where + errors[0])
    mapping = form.cleaned_data["mapping"]
    if (task, mapping) == (sheet.task, sheet.fixed_mapping) and sheet.health:
        return
    try:
        checked = check_mapping(owner, sheet, sheet.sheet, mapping, task, [])
    except FinetuneError as err:
        raise HttpError(400, str(err))
    if checked:  # on the worker
        raise HttpError(409, BEING_CHECKED)


@router.post(
    "/spreadsheets/{uuid:uuid}/runs",
    url_name="run_new",
    **answers(
        {202: RunOut},
        {
            400: "A column, the task or a setting is not valid (the detail names it), or the "
            "data does not fit the columns.",
            403: FORBIDDEN,
            404: NO_SHEET,
            409: "The file is still being read or its data checked, or the data check found "
            "a problem that stops training (the detail says which).",
        },
    ),
)
def new_run(request, uuid: UUID, body: RunIn):
    """Train a model on the spreadsheet: with its last checked columns, or with the task and
    mapping sent (checked first, as the spreadsheet page does), and the Train page's settings
    (the same defaults and checks). The run freezes the data, columns, fixes and settings;
    follow it with GET /runs/{uuid}."""
    sheet, owner = _sheet(request, uuid)
    if sheet_out(sheet)["reading"]:
        raise HttpError(409, STILL_READING)
    if body.task or body.mapping or not sheet.health:
        _check_columns(sheet, owner, body)
        sheet.refresh_from_db()
        sheet.__dict__.pop("latest_read", None)
    blockers = start_blockers(sheet)
    if blockers:
        raise HttpError(409, blockers[0])
    form = NewRunForm(task=sheet.task)
    defaults = {name: field.initial for name, field in form.fields.items()}
    data = defaults | {"name": body.name or Path(sheet.name).stem, "run_uuid": ""}
    form = NewRunForm(data | body.settings, task=sheet.task)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        where = "" if field == "__all__" else f"The setting {field} is not valid: "
        raise HttpError(400, where + errors[0])
    return 202, run_out(start_run(sheet, owner, form.cleaned_data))


@router.get(
    "/runs/{uuid:uuid}",
    url_name="run",
    **answers({200: RunOut}, {404: "No run with this id is available to this token's team."}),
)
def run_state(request, uuid: UUID):
    """A training run: its status, how far it got (percent, epoch of epochs), and once
    finished its metrics and the model (and version) it made."""
    related = ("spreadsheet", "improves")
    return run_out(get_for_user(request.auth.team, TrainingRun, uuid, related=related))


@router.post(
    "/models/{uuid:uuid}/improve",
    url_name="improve",
    **answers(
        {202: RunOut},
        {
            400: "No file was sent, its name does not end in a spreadsheet's suffix, or it "
            "lacks the model's columns (the detail names them).",
            403: FORBIDDEN,
            404: "No model with this id is available to this token's team.",
            409: COPY,
            413: TOO_LARGE_FILE,
        },
    ),
)
def improve_model(request, uuid: UUID, file: File[UploadedFile]):
    """Improve a model with new rows (the field "file": a spreadsheet with the model's
    columns): a run that starts from the model's weights and replays a sample of its old
    rows. Once finished it is the model's next version, which answers only once promoted
    (POST /models/{uuid}/versions/{number}/promote)."""
    model = get_for_user(request.auth.team, TrainedModel, uuid, related=("run",))
    owner = trainer(request)
    if model.is_copy:
        raise HttpError(409, COPY)
    _size_cap(file)
    form = ImproveForm(files={"improve-file": file}, prefix="improve")
    if not form.is_valid():
        raise HttpError(400, form.errors["file"][0])
    try:
        run = start_improving(model, owner, form.cleaned_data["file"])
    except FinetuneError as err:
        raise HttpError(400, str(err))
    return 202, run_out(run)
