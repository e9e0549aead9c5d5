"""Sharing a model: publish it to the team's catalogue (or back to draft), copy it to another
team, and the facts and curl example the model page shows.

    copy = copy_model(model, team, user)   # files and card go along; the training data does not

Publishing needs a trainer of the model's team; copying needs a viewer of the model and a
trainer of the target team.
"""

import shutil

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from lib import files
from lib.teams import check_role, get_for_user, teams_of
from webapp.accounts.models import ROLE_RANK, Activity, Membership, Role, Team
from webapp.catalog.models import TrainedModel
from webapp.runs.models import INFO_FILE, RunStatus, TrainingRun

# Files of a run directory that hold rows of the spreadsheet: they stay with the team that
# trained the model.
TRAINING_DATA_FILES = ("test_predictions.csv",)


class PublishForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name in the catalogue")
    description = forms.CharField(
        required=False,
        max_length=2000,
        label="Short description",
        help_text="What it labels and when to use it, in a sentence or two.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def trainer_teams(user, but: Team):
    """Teams other than `but` where `user` may add models."""
    roles = [r for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role.TRAINER]]
    memberships = Membership.objects.filter(user=user, role__in=roles).exclude(team=but)
    return teams_of(user).filter(memberships__in=memberships).distinct()


def takes_pairs(info: dict) -> bool:
    """Whether the model was trained on pairs of texts (labeltune.json's column mapping)."""
    return bool((info.get("mapping") or info.get("columns") or {}).get("text_pair"))


def sharing_context(request, model: TrainedModel) -> dict:
    """What the model page's sharing card needs (included by catalog/detail.html)."""
    role = model.team.role_of(request.user)
    api_url = request.build_absolute_uri(reverse("api:predict", args=[model.uuid]))
    return {
        "can_train": role in (Role.TRAINER, Role.ADMIN),
        "takes_pairs": takes_pairs(model.info()),
        "publish_form": PublishForm(initial={"name": model.name, "description": model.description}),
        "copy_teams": trainer_teams(request.user, model.team),
        "api_url": api_url,
        "tokens_url": reverse("token_list", args=[model.team.uuid]),
    }


@login_required
@require_POST
def model_publish(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid, need=Role.TRAINER)
    if request.POST.get("action") == "draft":
        model.unpublish()
        Activity.record(model.team, request.user, f'made the model "{model.name}" a draft')
        messages.success(request, f'"{model.name}" is a draft again.')
        return redirect("catalog:detail", model.uuid)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the model a name of at most 200 characters.")
        return redirect("catalog:detail", model.uuid)
    model.publish(request.user, form.cleaned_data["name"], form.cleaned_data["description"])
    Activity.record(model.team, request.user, f'published the model "{model.name}"')
    messages.success(request, f'"{model.name}" is published in the team\'s catalogue.')
    return redirect("catalog:detail", model.uuid)


@login_required
@require_POST
def model_copy(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    team = teams_of(request.user).filter(uuid=request.POST.get("team") or None).first()
    if team is None or team == model.team:
        raise Http404
    check_role(request.user, team.pk, Role.TRAINER)
    copy = copy_model(model, team, request.user)
    messages.success(request, f'Copied "{model.name}" to "{team.name}". This is the copy.')
    return redirect("catalog:detail", copy.uuid)


def copy_model(model: TrainedModel, team: Team, user) -> TrainedModel:
    """A draft copy of `model` in `team`: a finished run row and a copy of its files."""
    source = model.run
    with transaction.atomic():
        run = TrainingRun.objects.create(
            team=team,
            created_by=source.created_by,  # who trained it does not change
            spreadsheet=None,
            name=source.name,
            task=source.task,
            sheet=source.sheet,
            mapping=source.mapping,
            fixes=source.fixes,  # the copy's record says what data it trained on, too
            config=source.config,
            status=RunStatus.FINISHED,
            progress=source.progress,
            history=source.history,
            metrics=source.metrics,
            started=source.started,
            finished=source.finished,
        )
        try:
            shutil.copytree(
                source.local_dir(), run.out_dir, ignore=shutil.ignore_patterns(*TRAINING_DATA_FILES)
            )
            files.publish_folder(run.files_name, INFO_FILE)  # object storage: the copy's own
            copy = TrainedModel.objects.create(
                team=team,
                run=run,
                name=model.name,
                description=model.description,
                copied_from=model,
            )
            Activity.record(
                team, user, f'copied the model "{model.name}" here from "{model.team.name}"'
            )
            Activity.record(model.team, user, f'copied the model "{model.name}" to "{team.name}"')
        except BaseException:
            files.remove_folder(run.files_name)
            raise
    return copy
