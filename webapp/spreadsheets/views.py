"""Spreadsheet pages: list, upload, mapping + health report, its one-click fixes, download,
delete. Labels that look wrong and their fixes: views_labels.

Every object view starts with webapp.accounts.access.get_for_user: other teams' spreadsheets answer 404.
The file is parsed by finetune at most once per request, and only to show another sheet or
to check the data: the stored sheet's page comes from what the row keeps.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from finetune.fixes import describe, matches_offer, strip_offer
from finetune.mapping import ROLE_NAMES
from finetune.suggest import suggest
from finetune.tasks import TASKS, get_task
from lib import files
from lib.uploads import ACCEPTED_WORDS, ERROR_TITLES, MB, too_large_message, upload_error_title
from webapp.accounts.access import current_team, get_for_user, require_role, scoped
from webapp.accounts.models import Activity, Role
from webapp.queue.lifecycle import NOT_FINAL
from webapp.spreadsheets.forms import (
    MappingForm,
    UploadForm,
    mapping_initial,
    role_fields,
    task_roles,
)
from webapp.spreadsheets.models import Spreadsheet, preview_of
from webapp.spreadsheets.views_labels import label_context

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
        ctx["error_title"] = ERROR_TITLES["too_large"]
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
            form.add_error("file", forms.ValidationError(str(err), code="unreadable"))
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

    # 2. Read the file only to show another sheet or to check the data: the stored sheet's
    #    page comes from the row (a big file read on every view cost seconds and gigabytes).
    table = None
    if switched or request.method == "POST" or not spreadsheet.preview:
        try:
            table = spreadsheet.read(sheet)
        except FinetuneError as err:
            ctx["read_error"] = str(err)
            return render(request, "spreadsheets/detail.html", ctx)
        if not spreadsheet.preview and not switched:  # stored before previews were kept
            spreadsheet.preview = preview_of(table)
            spreadsheet.save(update_fields=["preview"])
    columns = table.columns if table else spreadsheet.columns

    # 3. The mapping form, pre-filled with the stored mapping or, on another sheet, the
    #    suggestion for that sheet.
    suggestion = suggest(table).to_dict() if switched else spreadsheet.suggestion
    if switched or not spreadsheet.mapping:
        task, mapping = suggestion.get("task") or "single_label", suggestion.get("mapping") or {}
    else:  # the columns training uses, after the fixes (a swap of text and label)
        fixed = spreadsheet.fixed_mapping
        task, mapping = spreadsheet.task, fixed.to_dict() if fixed else spreadsheet.mapping
    initial = mapping_initial(mapping) | {"sheet": sheet, "task": task}
    posted = request.POST if request.method == "POST" else None
    form = MappingForm(posted, columns=columns, initial=initial)

    # 4. Save the mapping with its health report, then show it. The fixes stay while the
    #    form still shows the columns they were made for; other columns start afresh.
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        same = not switched and (data["task"], data["mapping"]) == (task, spreadsheet.fixed_mapping)
        fixes = spreadsheet.fixes if same else []
        mapping = spreadsheet.column_mapping if same else data["mapping"]
        try:
            report = spreadsheet.check_data(table, mapping, data["task"], fixes)
        except FinetuneError as err:
            form.add_error(None, str(err))
        else:
            if spreadsheet.fixes and not same:
                messages.info(request, FIXES_DROPPED)
            spreadsheet.save_mapping(table, mapping, data["task"], report, fixes)
            return redirect("spreadsheets:detail", spreadsheet.uuid)

    ctx |= {
        "form": form,
        "columns": columns,
        "row_count": len(table.frame) if table else spreadsheet.row_count,
        "preview": preview_of(table) if table else spreadsheet.preview,
        "guess_words": _guess_words(suggestion, initial),
        "task_roles": task_roles(),
        # The last check only while it describes what the form shows.
        "health": None if switched or form.errors else spreadsheet.health,
    }
    if ctx["health"]:
        task = get_task(spreadsheet.task)  # its own section of the check: template and words
        ctx |= fixes_context(spreadsheet) | label_context(spreadsheet)
        ctx |= {"health_template": task.health_template} | task.health_context(ctx["health"])
    return render(request, "spreadsheets/detail.html", ctx)


FIXES_DROPPED = "The fixes you made were for other columns, so they were undone."
FIX_GONE = "That fix no longer fits the data check. Look at the check again and pick a fix."
SWAP_RESETS = " The fixes made before were for the other columns, so they were undone."


def fixes_context(spreadsheet: Spreadsheet) -> dict:
    """The fixes in use (each with its sentence, for Undo) and the fixes the check offers."""
    words = spreadsheet.health.get("fixed") or []
    fixed = [
        {"index": i, "fix": json.dumps(fix), "words": words[i] if i < len(words) else describe(fix)}
        for i, fix in enumerate(spreadsheet.fixes)
    ]
    offers = [
        {"fix": json.dumps(strip_offer(o)), "words": describe(o, done=False)} | o
        for o in spreadsheet.offered_fixes
    ]
    return {"fixed": fixed, "offers": offers}


@require_POST
@login_required
def fix_apply(request: HttpRequest, uuid) -> HttpResponse:
    """Apply one fix the data check offers, check the fixed table again and save the report."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    fix = _posted_fix(request)
    if fix is not None and fix.get("into") is None and request.POST.get("into"):
        fix["into"] = request.POST["into"]  # a rare label goes into the label the user picked
    if fix is None or not matches_offer(fix, spreadsheet.offered_fixes):
        messages.error(request, FIX_GONE)
        return _to_check(spreadsheet)
    # A swap changes which column is the label: it comes first, on its own.
    swap, earlier = fix["kind"] == "swap_columns", spreadsheet.fixes
    fixes = [fix] if swap else [*earlier, fix]
    try:
        spreadsheet.change_fixes(fixes)
    except FinetuneError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, describe(fix) + (SWAP_RESETS if swap and earlier else ""))
    return _to_check(spreadsheet)


@require_POST
@login_required
def fix_undo(request: HttpRequest, uuid) -> HttpResponse:
    """Undo one fix (a swap undoes the fixes after it too: they were for the swapped columns)."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    fix, fixes = _posted_fix(request), list(spreadsheet.fixes)
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        index = -1
    if fix is None or not 0 <= index < len(fixes) or fixes[index] != fix:
        messages.error(request, "That fix was already undone.")
        return _to_check(spreadsheet)
    kept = [] if fix["kind"] == "swap_columns" else fixes[:index] + fixes[index + 1 :]
    try:
        spreadsheet.change_fixes(kept)
    except FinetuneError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"Undone: {describe(fix)}")
    return _to_check(spreadsheet)


def _posted_fix(request: HttpRequest) -> dict | None:
    try:
        fix = json.loads(request.POST.get("fix", ""))
    except ValueError:
        return None
    return fix if isinstance(fix, dict) else None


def _to_check(spreadsheet: Spreadsheet) -> HttpResponse:
    return redirect(reverse("spreadsheets:detail", args=[spreadsheet.uuid]) + "#health")


@login_required
def download(request: HttpRequest, uuid) -> HttpResponse:
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    try:
        return files.download_response(spreadsheet.file.name, spreadsheet.name)
    except FileNotFoundError:
        raise Http404("The original file is missing.")


@require_POST
@login_required
def delete(request: HttpRequest, uuid) -> HttpResponse:
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    if spreadsheet.runs.filter(status__in=NOT_FINAL).exists():
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
        "error_title": upload_error_title(form),
        "accepted": ACCEPTED_WORDS,
        "max_mb": settings.MAX_UPLOAD_MB,
        "max_bytes": MB * settings.MAX_UPLOAD_MB,
    }


def _guess_words(suggestion: dict, initial: dict) -> list[str]:
    """Why the pre-filled task and columns were picked, in plain sentences (only while the
    form still shows the suggestion)."""
    words = []
    if suggestion.get("reason") and initial.get("task") == suggestion.get("task"):
        words.append(f"We suggest “{TASKS[suggestion['task']].title}”. {suggestion['reason']}")
    guessed = suggestion.get("mapping") or {}
    fields = {role: field for field, role in role_fields().items()}
    for role, reason in (suggestion.get("reasons") or {}).items():  # the roles guessed, why
        name = guessed.get(role)
        if name and reason and initial.get(fields.get(role, "")) == name:
            what = ROLE_NAMES.get(role, role)
            words.append(f'We picked "{name}" as the {what}. {reason.rstrip(".")}.')
    return words
