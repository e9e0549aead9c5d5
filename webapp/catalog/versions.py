"""Numbered versions of a model: v1 is the run it was made from; an improved run becomes the
next version; a trainer or admin makes one of them current (promote, or roll back).

    version = add_version(model, run, by=user)   # v(N+1), not current until promoted
    promote(model, version, by=user)             # Try it, the API and batches answer with it
    run_model(run)                               # the model a run is a version of, or None

The current version is the one whose run `model.run` points at, so every page, the API and
batch scoring read the current version's files and figures without asking. The predictor cache
is keyed by a version's run folder, so each version loads once and a promotion answers from
the new one at once. Each version keeps its own run (files, metrics, test rows); a copy to
another team carries the current version only (it starts as the copy's v1).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from webapp.accounts.access import get_for_user
from webapp.accounts.models import Activity, Role
from webapp.catalog.models import ModelVersion, TrainedModel


def add_version(model: TrainedModel, run, by=None) -> ModelVersion:
    """`run` (finished) as the next version of `model`; the current one stays until promoted."""
    with transaction.atomic():
        TrainedModel.objects.select_for_update().filter(pk=model.pk).first()  # one number each
        last = model.versions.aggregate(last=models.Max("number"))["last"] or 0
        version = ModelVersion.objects.create(model=model, number=last + 1, run=run, created_by=by)
        Activity.record(model.team, by, f'made v{version.number} of the model "{model.name}"')
    return version


def promote(model: TrainedModel, version: ModelVersion, by, through: str = "") -> str:
    """Make `version` current (an earlier one: a roll back); the sentence the activity log
    records ("through" the API token named so), "" when it already was current."""
    with transaction.atomic():
        model = TrainedModel.objects.select_for_update().get(pk=model.pk)
        current = model.versions.get(run_id=model.run_id)
        if current.pk == version.pk:
            return ""
        model.run_id = version.run_id
        model.save(update_fields=["run"])
        version.made_current, version.made_current_by = timezone.now(), by
        version.save(update_fields=["made_current", "made_current_by"])
        if version.number < current.number:
            what = (
                f'rolled the model "{model.name}" back from v{current.number} to v{version.number}'
            )
        else:
            what = f'made v{version.number} of the model "{model.name}" current (was v{current.number})'
        if through:
            what += f' through the API token "{through}"'
        Activity.record(model.team, by, what)
    return what


def run_model(run) -> TrainedModel | None:
    """The model `run` is a version of (current or not), or None."""
    version = ModelVersion.objects.filter(run=run).select_related("model").first()
    return version.model if version else None


def may_promote(user, model: TrainedModel) -> bool:
    return model.team.role_of(user) in (Role.TRAINER, Role.ADMIN)


def versions_context(user, model: TrainedModel) -> dict:
    """The model page's Versions card: each version with its headline test figures side by
    side, which one answers, who made it current and when, and the buttons (trainers, admins)."""
    from webapp.runs.compare import figure_rows

    versions = list(model.versions.select_related("run", "created_by", "made_current_by"))
    current = next((v for v in versions if v.run_id == model.run_id), None)
    return {
        "versions": versions,
        "current_version": current,
        "version_figures": figure_rows(versions) if len(versions) > 1 else [],
        "can_promote": may_promote(user, model) and len(versions) > 1,
    }


@login_required
@require_POST
def version_promote(request, uuid, number):
    """POST /models/<uuid>/versions/<number>/promote/ (trainers and admins)."""
    model = get_for_user(request.user, TrainedModel, uuid, need=Role.TRAINER)
    version = model.versions.filter(number=number).first()
    if version is None:
        raise Http404
    if promote(model, version, request.user):
        messages.success(
            request, f"v{version.number} is now current: Try it, the API and new batches use it."
        )
    else:
        messages.info(request, f"v{version.number} was already current.")
    return redirect("catalog:detail", model.uuid)
