"""Model pages: the catalogue, a model's page, "Try it", and the model downloads (the full
model; its int8 copy when training approved it).

Every object view starts with get_for_user (404 for other teams). "Try it" answers an htmx
POST with a small partial (the label and one bar per label); predictions come from the
process-level Predictor cache, so the model is loaded once, not per request.
"""

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from finetune import FinetuneError, candidates, lora, quantize, rundir
from finetune.embeddings import TUNED_NAME
from webapp.accounts.access import current_team, get_for_user
from webapp.catalog.faster import faster_context, served_folder
from webapp.catalog.forms import BatchForm, TryForm
from webapp.catalog.improve_card import improve_context
from webapp.catalog.lora_downloads import merged_download
from webapp.catalog.models import TrainedModel
from webapp.catalog.predictors import RETRY_AFTER, Busy, get_predictor, prediction_slot
from webapp.catalog.row_picks import pick_context
from webapp.catalog.sharing import leaving_files, sharing_context
from webapp.catalog.versions import versions_context
from webapp.runs.caveats import caveats
from webapp.runs.downloads import temp_download, zip_folder

PREDICT_FAILED = (
    "The model could not label this text right now. Try again; if it keeps happening, "
    "tell your administrator."
)


@login_required
def model_list(request):
    models = TrainedModel.objects.catalogue(current_team(request))
    models = models.select_related("run", "run__spreadsheet")
    return render(request, "catalog/list.html", {"models": models})


def page_context(request, model: TrainedModel, **extra) -> dict:
    run = model.run
    info = model.info()
    labels = run.the_task.shown_labels(info)
    extra = sharing_context(request, model) | pick_context(request.user, model) | extra
    extra = versions_context(request.user, model) | extra
    extra = improve_context(request.user, model) | faster_context(request.user, model) | extra
    return {
        "model": model,
        "run": run,
        "metrics": run.metrics,
        "labels": labels if len(labels) > 1 else [],
        "mapping": run.mapping,
        "scoring_column": model.scoring_column,
        "card": model.card(),
        "pipeline_call": rundir.pipeline_call(info, run.the_task, "folder") if info else "",
        "caveats": caveats(run),
        "try_form": TryForm(takes_pairs=model.takes_pairs),
        "batch_form": BatchForm(),
        "batches": model.batches.all()[:10],
        "int8_same": quantize.share_words(run.metrics.get("int8_agreement") or 0),
        "adapter": lora.uses_lora_settings(run.config or {}),
        "served_sentence": candidates.served_sentence(run.the_task, run.metrics),
        "served_words": candidates.served_words(run.metrics),  # "" when the model answers
        # The tuned candidate's folder goes in the zip too (from metrics: no files fetched).
        "served_encoder": run.metrics.get("served") == TUNED_NAME,
    } | extra


@login_required
def model_detail(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    return render(request, "catalog/detail.html", page_context(request, model))


def predict_one(model: TrainedModel, text: str, text_pair: str | None = None) -> dict:
    """The task's answer for one input, plus the input itself (entity offsets point into
    it) and what the task's Try it template shows beside it (Task.try_context: a bar per
    label, for tasks that give scores)."""
    predictor = get_predictor(served_folder(model.run))
    with prediction_slot():  # Busy when the web process is full
        result = predictor.predict([text], [text_pair] if text_pair else None)[0]
    # predictor.head: the thresholds of what answers, the model's or a candidate's.
    return result | {"input": text} | predictor.task.try_context(result, predictor.head)


@login_required
@require_POST
def model_try(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid, related=("run",))
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
    if result and model.versions.count() > 1:  # which version answered, once there are several
        ctx["version"] = model.current_version
    if request.headers.get("HX-Request"):
        response = render(request, "includes/try_result.html", ctx, status=status)
    else:  # Without JavaScript: the whole page, with the answer in place.
        page = page_context(request, model, result=result, error=error, try_form=form)
        page["version"] = ctx.get("version")
        response = render(request, "catalog/detail.html", page, status=status)
    if status == 429:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


@login_required
def model_download(request, uuid):
    """The run directory as a zip: one folder that transformers.pipeline() loads as it is,
    without the spreadsheet's rows (sharing.leaving_files)."""
    model = get_for_user(request.user, TrainedModel, uuid)
    if lora.is_adapter_folder(model.run_dir):  # the adapter merged in, for pipeline()
        return merged_download(model)
    folder = slugify(model.name) or "model"
    files = leaving_files(model.run_dir)
    return temp_download(lambda path: zip_folder(path, files, folder), ".zip", f"{folder}.zip")


@login_required
def model_download_int8(request, uuid):
    """The int8 copy as a zip, made from the full model as the server makes it (only when
    training found that it agrees): LabelTune's Predictor loads the folder."""
    model = get_for_user(request.user, TrainedModel, uuid)
    metrics = model.run.metrics
    if not metrics.get("int8_ok"):
        raise Http404
    folder = f"{slugify(model.name) or 'model'}-int8"

    def write(path: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="labeltune-int8-") as work:
            made = quantize.write_int8_folder(
                model.run_dir, Path(work) / folder, metrics.get("int8_agreement")
            )
            zip_folder(path, leaving_files(made), folder)

    return temp_download(write, ".zip", f"{folder}.zip")
