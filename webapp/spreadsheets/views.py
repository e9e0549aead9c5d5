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
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from finetune.fixes import describe, matches_offer, strip_offer
from finetune.mapping import ROLE_NAMES
from finetune.tasks import TASKS, default_task, get_task
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
from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.reading import SheetRead, checks_in_request
from webapp.spreadsheets.views_labels import label_context
from webapp.spreadsheets.views_reading import reading_context, tell_fixed

MULTIPART_OVERHEAD = 64 * 1024  # form fields and part headers around the file itself


@login_required
def index(request: HttpRequest) -> HttpResponse:
    reads = SheetRead.objects.filter(spreadsheet=OuterRef("pk")).order_by("-pk")
    latest = {"read_kind": reads.values("kind")[:1], "read_status": reads.values("status")[:1]}
    spreadsheets = (
        scoped(request, Spreadsheet)
        .select_related("uploaded_by")
        .annotate(**{name: Subquery(query) for name, query in latest.items()})
    )
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

    # 0. Until the worker has read the file, the page says how far it got (and polls).
    read = spreadsheet.latest_read
    if read and read.kind == SheetRead.Kind.UPLOAD and read.status != SheetRead.Status.FINISHED:
        ctx = {"spreadsheet": spreadsheet} | reading_context(read)
        return render(request, "spreadsheets/detail.html", ctx)

    # 1. The sheet to show: a workbook's sheet picked in the selector, else the stored one.
    sheet = request.POST.get("sheet") or request.GET.get("sheet") or spreadsheet.sheet
    if sheet not in spreadsheet.sheets:
        sheet = spreadsheet.sheet
    switched = sheet != spreadsheet.sheet
    ctx = {"spreadsheet": spreadsheet, "sheet": sheet, "switched": switched}
    read_on = read is not None and not read.is_final  # a data check on the worker

    # 2. What the page shows of that sheet was kept when the file was read: no file is read
    #    here (a big file read on every view cost seconds and gigabytes).
    facts = spreadsheet.facts_for(sheet)
    if facts is None:  # stored before every sheet was kept: read it once, and keep it
        try:
            facts = spreadsheet.keep_facts(sheet, spreadsheet.read(sheet))
        except FinetuneError as err:
            facts = {"error": str(err)}
    if "error" in facts:
        ctx["read_error"] = facts["error"]
        return render(request, "spreadsheets/detail.html", ctx)
    columns = facts["columns"]

    # 3. The mapping form, pre-filled with the stored mapping or, on another sheet, the
    #    suggestion for that sheet.
    suggestion = facts["suggestion"]
    if switched or not spreadsheet.mapping:
        task = suggestion.get("task") or default_task().name
        mapping = suggestion.get("mapping") or {}
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
            checked = check_mapping(request.user, spreadsheet, sheet, mapping, data["task"], fixes)
        except FinetuneError as err:
            form.add_error(None, str(err))
        else:
            if spreadsheet.fixes and not same:
                messages.info(request, FIXES_DROPPED)
            return redirect(reverse("spreadsheets:detail", args=[spreadsheet.uuid]) + checked)

    ctx |= {
        "form": form,
        "columns": columns,
        "row_count": facts["row_count"],
        "preview": facts["preview"],
        "guess_words": _guess_words(suggestion, initial),
        "task_roles": task_roles(),
        # The last check only while it describes what the form shows, and none is under way.
        "health": None if switched or form.errors or read_on else spreadsheet.health,
    }
    if read_on:
        ctx |= reading_context(read)
    if ctx["health"]:
        task = get_task(spreadsheet.task)  # its own section of the check: template and words
        ctx |= fixes_context(spreadsheet) | label_context(spreadsheet)
        ctx |= {"health_template": task.health_template} | task.health_context(ctx["health"])
    return render(request, "spreadsheets/detail.html", ctx)


def check_mapping(user, spreadsheet: Spreadsheet, sheet: str, mapping, task: str, fixes) -> str:
    """Check the data with this mapping and save it with its report: here for a small sheet,
    else on the prediction worker (the page then shows the check under way). The part of the
    page to show next; FinetuneError (nothing saved) when the data does not fit. While a check
    is under way, the new one follows it on the worker (the last one asked for is kept)."""
    if spreadsheet.checking or not checks_in_request(spreadsheet, sheet):
        read = SheetRead.recheck(spreadsheet, user, sheet, task, mapping.to_dict(), fixes)
        if read.status == SheetRead.Status.FAILED:  # checked here (no worker), and it did not fit
            raise FinetuneError(read.message)
        return "#health"
    table = spreadsheet.read(sheet)
    report = spreadsheet.check_data(table, mapping, task, fixes)
    spreadsheet.save_mapping(table, mapping, task, report, fixes)
    return ""


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
    done = describe(fix) + (SWAP_RESETS if swap and earlier else "")
    tell_fixed(request, spreadsheet, fixes, done)
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
    tell_fixed(request, spreadsheet, kept, f"Undone: {describe(fix)}")
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
