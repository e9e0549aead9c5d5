"""The spreadsheet page while its file is read or its data checked on the prediction worker
(webapp.spreadsheets.reading): the live card htmx polls, and reading a file again.

The card polls spreadsheets:read_status every second; when the read has ended the answer
sends the browser to the spreadsheet page once (HX-Redirect), which then shows what was read.
Every view starts with webapp.accounts.access.get_for_user (other teams: 404; viewers: 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from webapp.accounts.access import get_for_user
from webapp.accounts.models import Role
from webapp.queue.maintenance import has_worker, repair_runs
from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.reading import SheetRead

NO_WORKER = (
    "No worker is reading files right now, so this waits. It goes on once a worker starts; "
    "if it does not, tell your administrator."
)
WAIT_FOR_CHECK = "Your data is being checked. Wait for the check to end, then try again."
CHECKING_AGAIN = (
    "Your data is being checked again with this change. The check shows below when it ends."
)


def reading_context(read: SheetRead) -> dict:
    """What templates/spreadsheets/reading.html shows of a read or check."""
    waiting = ""
    if read.status in (SheetRead.Status.CREATED, SheetRead.Status.QUEUED):
        waiting = NO_WORKER if has_worker(read.queue_name) is False else ""
    return {"read": read, "read_waiting": waiting}


def tell_fixed(request: HttpRequest, spreadsheet: Spreadsheet, fixes: list[dict], done: str):
    """Use `fixes` (spreadsheet.change_fixes) and say so: `done` when checked here, or that
    the check goes on on the worker; why not, when it cannot."""
    if spreadsheet.checking:
        messages.error(request, WAIT_FOR_CHECK)
        return
    try:
        read = spreadsheet.change_fixes(fixes, request.user)
    except FinetuneError as err:
        messages.error(request, str(err))
        return
    if read is None or read.status == SheetRead.Status.FINISHED:
        messages.success(request, done)
    elif read.status == SheetRead.Status.FAILED:
        messages.error(request, read.message)
    else:
        messages.info(request, CHECKING_AGAIN)


@login_required
def read_status(request: HttpRequest, uuid) -> HttpResponse:
    """The live card of the read under way; once it ends, to the spreadsheet page."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    read = spreadsheet.latest_read
    if read is None:
        raise Http404
    if not read.is_final and repair_runs([read]):  # its worker died: failed, with a sentence
        read.refresh_from_db()
    upload = read.kind == SheetRead.Kind.UPLOAD
    if read.status == SheetRead.Status.FINISHED or (read.is_final and not upload):
        if read.status == SheetRead.Status.FAILED:
            messages.error(request, read.message)
        response = HttpResponse()
        response["HX-Redirect"] = _page(spreadsheet) + ("" if upload else "#health")
        return response
    ctx = {"spreadsheet": spreadsheet} | reading_context(read)
    return render(request, "spreadsheets/reading.html", ctx)


@require_POST
@login_required
def read_again(request: HttpRequest, uuid) -> HttpResponse:
    """Read a file again whose reading failed (its worker died, or a reader crashed)."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    read = spreadsheet.latest_read
    if read is not None and read.kind == SheetRead.Kind.UPLOAD and read.is_final:
        if read.status == SheetRead.Status.FAILED:
            try:
                SheetRead.upload(spreadsheet, request.user)
            except Exception:  # read here (no worker): logged and marked failed by the job
                pass  # the page shows the read's message
    return redirect(_page(spreadsheet))


def _page(spreadsheet: Spreadsheet) -> str:
    return reverse("spreadsheets:detail", args=[spreadsheet.uuid])
