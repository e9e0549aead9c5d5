"""Sharing a model: publish it to the team's catalogue (or back to draft), copy it to another
team, the facts and curl example the model page shows, and what of a model may leave its team.

    copy = copy_model(model, team, user)   # files and card go along; the training data does not
    for name, content in leaving_files(run_dir): ...   # a copy's files, a zip's entries

Publishing and copying need a trainer of the model's team; copying also needs a trainer of
the target team.
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lib import files
from webapp.accounts.access import check_role, get_for_user, teams_of
from webapp.accounts.models import ROLE_RANK, Activity, Membership, Role, Team
from webapp.catalog.models import TrainedModel
from webapp.runs.models import INFO_FILE, RunStatus, TrainingRun

# What in a run folder quotes rows of the team's spreadsheet. It stays with the team that
# trained the model (its members read it on the evaluation page) and never leaves it: not in
# a copy to another team, not in the model zip (what gets passed on; loading needs none of it).
ROWS_FILES = (
    "test_predictions.csv",  # the test rows with the model's answers
    "health.json",  # the data check, which quotes rows (conflicting answers, entity issues)
)
ROWS_KEYS = {"evaluation.json": ("examples",)}  # named entities: test texts, drawn twice


def leaving_files(run_dir: Path) -> Iterator[tuple[str, Path | bytes]]:
    """The files of a run folder as they may leave the team: (path inside the folder, the
    file, or the bytes to write in its place when rows were taken out of it). The one rule
    for copies to another team and for the model zips."""
    for file in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        name = file.relative_to(run_dir).as_posix()
        if file.name in ROWS_FILES:
            continue
        if name in ROWS_KEYS:
            data = json.loads(file.read_bytes())
            for key in ROWS_KEYS[name]:
                data.pop(key, None)
            yield name, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        else:
            yield name, file


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


def sharing_context(request, model: TrainedModel) -> dict:
    """What the model page's sharing card needs (included by catalog/detail.html)."""
    can_train = model.team.role_of(request.user) in (Role.TRAINER, Role.ADMIN)
    api_url = request.build_absolute_uri(reverse("api:predict", args=[model.uuid]))
    return {
        "can_train": can_train,
        "takes_pairs": model.takes_pairs,
        "publish_form": PublishForm(initial={"name": model.name, "description": model.description}),
        "copy_teams": trainer_teams(request.user, model.team) if can_train else [],
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
    model = get_for_user(request.user, TrainedModel, uuid, need=Role.TRAINER)
    team = teams_of(request.user).filter(uuid=request.POST.get("team") or None).first()
    if team is None or team == model.team:
        raise Http404
    check_role(request.user, team.pk, Role.TRAINER)
    copy = copy_model(model, team, request.user)
    messages.success(request, f'Copied "{model.name}" to "{team.name}". This is the copy.')
    return redirect("catalog:detail", copy.uuid)


def copy_model(model: TrainedModel, team: Team, user) -> TrainedModel:
    """A draft copy of `model` in `team`: a finished run row and a copy of its files, less
    the spreadsheet's rows (leaving_files). It remembers when and where the model was trained
    (the original's, for a copy of a copy) and when and by whom it was copied."""
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
            for name, content in leaving_files(source.local_dir()):
                target = run.out_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    shutil.copyfile(content, target)
            files.publish_folder(run.files_name, INFO_FILE)  # object storage: the copy's own
            copy = TrainedModel.objects.create(
                team=team,
                run=run,
                name=model.name,
                description=model.description,
                trained=model.trained,
                trained_in=model.trained_in or model.team.name,
                copied_from=model,
                copied=timezone.now(),
                copied_by=user,
            )
            Activity.record(
                team, user, f'copied the model "{model.name}" here from "{model.team.name}"'
            )
            Activity.record(model.team, user, f'copied the model "{model.name}" to "{team.name}"')
        except BaseException:
            files.remove_folder(run.files_name)
            raise
    return copy
