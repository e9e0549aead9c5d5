"""Model pages: the catalogue, a model's page, "Try it", and the model download.

Every object view starts with get_for_user (404 for other teams). "Try it" answers an htmx
POST with a small partial (the label and one bar per label); predictions come from the
process-level Predictor cache, so the model is loaded once, not per request.
"""

import zipfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from finetune import FinetuneError, rundir
from lib.teams import current_team, get_for_user
from webapp.catalog.forms import BatchForm, TryForm
from webapp.catalog.models import TrainedModel
from webapp.catalog.predictors import RETRY_AFTER, Busy, get_predictor, prediction_slot
from webapp.catalog.sharing import sharing_context
from webapp.runs.caveats import caveats
from webapp.runs.downloads import temp_download

PREDICT_FAILED = (
    "The model could not label this text right now. Try again; if it keeps happening, "
    "tell your administrator."
)
STORED = (".safetensors", ".bin")  # already dense: zipping them only costs time


@login_required
def model_list(request):
    models = TrainedModel.objects.catalogue(current_team(request))
    models = models.select_related("run", "run__spreadsheet")
    return render(request, "catalog/list.html", {"models": models})


def page_context(request, model: TrainedModel, **extra) -> dict:
    run = model.run
    info = model.info()
    extra = sharing_context(request, model) | extra
    return {
        "model": model,
        "run": run,
        "metrics": run.metrics,
        "labels": info.get("labels", []) if len(info.get("labels", [])) > 1 else [],
        "mapping": run.mapping,
        "card": model.card(),
        "pipeline_call": rundir.pipeline_call(info, run.the_task, "folder") if info else "",
        "caveats": caveats(run),
        "try_form": TryForm(takes_pairs=model.takes_pairs),
        "batch_form": BatchForm(),
        "batches": model.batches.all()[:10],
    } | extra


@login_required
def model_detail(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    return render(request, "catalog/detail.html", page_context(request, model))


def predict_one(model: TrainedModel, text: str, text_pair: str | None = None) -> dict:
    """The task's answer for one input, plus the input itself (entity offsets point into
    it) and a bar per label when the task gives scores: [{"label", "percent", "chosen",
    "threshold"}], highest first."""
    predictor = get_predictor(model.run_dir)
    with prediction_slot():  # Busy when the web process is full
        result = predictor.predict([text], [text_pair] if text_pair else None)[0]
    chosen = set(result.get("labels") or [result.get("label")])
    head = model.info().get("head", {})
    thresholds = dict(zip(head.get("labels", []), head.get("thresholds", []), strict=False))
    bars = sorted((result.get("scores") or {}).items(), key=lambda item: -item[1])
    return result | {
        "input": text,
        "percent": round(100 * result.get("confidence", 0), 1),
        "bars": [
            {
                "label": label,
                "percent": round(100 * p, 1),
                "chosen": label in chosen,
                "threshold": round(100 * thresholds[label], 1) if label in thresholds else None,
            }
            for label, p in bars
        ],
    }


@login_required
@require_POST
def model_try(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    form = TryForm(request.POST, takes_pairs=model.takes_pairs)
    result, error, status = None, None, 200
    if form.is_valid():
        try:
            result = predict_one(
                model, form.cleaned_data["text"], form.cleaned_data.get("text_pair")
            )
        except Busy as err:
            error, status = str(err), 429
        except FinetuneError as err:
            error = str(err)
        except (OSError, RuntimeError, ValueError):
            error = PREDICT_FAILED
    else:
        error = form.first_error()
    ctx = {"model": model, "result": result, "error": error, "text": request.POST.get("text", "")}
    if request.headers.get("HX-Request"):
        response = render(request, "includes/try_result.html", ctx, status=status)
    else:  # Without JavaScript: the whole page, with the answer in place.
        page = page_context(request, model, result=result, error=error, try_form=form)
        response = render(request, "catalog/detail.html", page, status=status)
    if status == 429:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


@login_required
def model_download(request, uuid):
    """The run directory as a zip: one folder that transformers.pipeline() loads as it is."""
    model = get_for_user(request.user, TrainedModel, uuid)
    folder = slugify(model.name) or "model"
    run_dir = model.run_dir

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for file in sorted(p for p in run_dir.rglob("*") if p.is_file()):
                method = zipfile.ZIP_STORED if file.suffix in STORED else zipfile.ZIP_DEFLATED
                arcname = f"{folder}/{file.relative_to(run_dir).as_posix()}"
                archive.write(file, arcname, compress_type=method)

    return temp_download(write, ".zip", f"{folder}.zip")
