"""Spreadsheet pages: list, upload, mapping + health report, download, delete.

Every object view starts with lib.teams.get_for_user: other teams' spreadsheets answer 404.
The file is parsed by finetune at most once per request.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from finetune.columns import Columns, guess_columns
from finetune.health import check
from lib.teams import current_team, get_for_user, require_role, scoped
from lib.uploads import MB, too_large_message
from webapp.accounts.models import Activity, Role
from webapp.spreadsheets.forms import MappingForm, UploadForm
from webapp.spreadsheets.models import Spreadsheet

PREVIEW_ROWS = 20
MULTIPART_OVERHEAD = 64 * 1024  # form fields and part headers around the file itself


@login_required
def index(request: HttpRequest) -> HttpResponse:
    spreadsheets = scoped(request, Spreadsheet).select_related("uploaded_by")
    return render(request, "spreadsheets/list.html", {"spreadsheets": spreadsheets})


@csrf_exempt  # checked below by _upload: the size check must not read the body first
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    require_role(request, Role.TRAINER)
    # Refuse a huge upload from its Content-Length, before a byte of it is read.
    size = _content_length(request)
    if request.method == "POST" and size > settings.MAX_UPLOAD_MB * MB + MULTIPART_OVERHEAD:
        ctx = _upload_context(UploadForm(), error=too_large_message(size))
        return render(request, "spreadsheets/upload.html", ctx, status=413)
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        try:
            spreadsheet = Spreadsheet.create_from_upload(
                current_team(request), request.user, form.cleaned_data["file"]
            )
        except FinetuneError as err:
            form.add_error("file", str(err))
        else:
            return redirect("spreadsheets:detail", spreadsheet.uuid)
    return render(request, "spreadsheets/upload.html", _upload_context(form))


@login_required
def detail(request: HttpRequest, uuid) -> HttpResponse:
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)

    # 1. The sheet to show: a workbook's sheet picked in the selector, else the stored one.
    sheet = request.POST.get("sheet") or request.GET.get("sheet") or spreadsheet.sheet
    if sheet not in spreadsheet.sheets:
        sheet = spreadsheet.sheet
    switched = sheet != spreadsheet.sheet
    ctx = {"spreadsheet": spreadsheet, "sheet": sheet, "switched": switched}

    # 2. Read it once.
    try:
        table = spreadsheet.read(sheet)
    except FinetuneError as err:
        ctx["read_error"] = str(err)
        return render(request, "spreadsheets/detail.html", ctx)

    # 3. The mapping form, pre-filled with the stored mapping or, on another sheet, a guess.
    guess = guess_columns(table)
    if switched:
        initial = {"text_column": guess.text, "label_column": guess.label}
    else:
        initial = {"text_column": spreadsheet.text_column, "label_column": spreadsheet.label_column}
    initial |= {"sheet": sheet, "task": spreadsheet.task}
    posted = request.POST if request.method == "POST" else None
    form = MappingForm(posted, columns=table.columns, initial=initial)

    # 4. Save the mapping with its health report, then show it.
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        columns = Columns(text=data["text_column"], label=data["label_column"] or None)
        try:
            report = check(table, columns, task=data["task"])
        except FinetuneError as err:
            form.add_error(None, str(err))
        else:
            spreadsheet.save_mapping(table, columns, data["task"], report)
            return redirect("spreadsheets:detail", spreadsheet.uuid)

    frame = table.frame.head(PREVIEW_ROWS)
    ctx |= {
        "form": form,
        "columns": table.columns,
        "row_count": len(table.frame),
        "preview": [
            (table.row_number(i), list(values))
            for i, values in enumerate(frame.itertuples(index=False, name=None))
        ],
        "guess_words": _guess_words(guess, initial),
        "health": None if switched else spreadsheet.health,
    }
    return render(request, "spreadsheets/detail.html", ctx)


@login_required
def download(request: HttpRequest, uuid) -> FileResponse:
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    try:
        handle = spreadsheet.file.open("rb")
    except FileNotFoundError:
        raise Http404("The original file is missing.")
    return FileResponse(handle, as_attachment=True, filename=spreadsheet.name)


@require_POST
@login_required
def delete(request: HttpRequest, uuid) -> HttpResponse:
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    if spreadsheet.runs.filter(status__in=("created", "queued", "running")).exists():
        messages.error(
            request,
            f'"{spreadsheet.name}" is being used by a training run. '
            "Wait for it to end, or cancel it, then delete the spreadsheet.",
        )
        return redirect("spreadsheets:detail", spreadsheet.uuid)
    spreadsheet.delete_with_file()  # runs trained on it keep their models (FK is SET_NULL)
    Activity.record(spreadsheet.team, request.user, f'deleted the spreadsheet "{spreadsheet.name}"')
    messages.success(request, f'Deleted "{spreadsheet.name}".')
    return redirect("spreadsheets:list")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _upload_context(form: UploadForm, error: str = "") -> dict:
    return {
        "form": form,
        "error": error,
        "max_mb": settings.MAX_UPLOAD_MB,
        "max_bytes": MB * settings.MAX_UPLOAD_MB,
    }


def _guess_words(guess, initial: dict) -> list[str]:
    """Why the pre-filled columns were picked, in plain sentences (only for guessed ones)."""
    words = []
    for role, name, what in (("text", guess.text, "text"), ("label", guess.label, "label")):
        reason = guess.reasons.get(role)
        if name and reason and initial.get(f"{role}_column") == name:
            words.append(f'We picked "{name}" as the {what}. {reason.rstrip(".")}.')
    return words
