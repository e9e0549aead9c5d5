"""Objects of alice's team for the sharing tests, made in code.

    objects = team_objects(self)   # sheet, run, model, batch, pick, distillation, token, invitation
    dave = add_member(self.alice_team, "dave", Role.VIEWER)

The run is queued and the model's run finished, so that an allowed cancel, retry, publish or
delete would change something: the access tests prove that refused requests change nothing.
"""

from types import SimpleNamespace

from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from tests.webapp.base import PASSWORD
from webapp.accounts.models import ApiToken, Invitation, Membership, Role
from webapp.catalog.faster import Distillation
from webapp.catalog.models import BatchPrediction, RowPick, TrainedModel
from webapp.runs.models import RunStatus, TrainingRun


def add_member(team, username: str, role: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    Membership.objects.create(team=team, user=user, role=role)
    return user


def team_objects(case) -> SimpleNamespace:
    team, alice = case.alice_team, case.alice
    sheet = case.make_spreadsheet()
    queued = TrainingRun.objects.create(
        team=team, created_by=alice, spreadsheet=sheet, name="queued", status=RunStatus.QUEUED
    )
    done = TrainingRun.objects.create(
        team=team, created_by=alice, spreadsheet=sheet, name="done", status=RunStatus.FINISHED
    )
    model = TrainedModel.objects.create(team=team, run=done, name="Sentiment")
    batch = BatchPrediction(team=team, model=model, created_by=alice, original_name="b.csv")
    batch.input.save("b.csv", ContentFile(b"text\nhello\n"), save=False)
    batch.status = RunStatus.QUEUED
    batch.save()
    pick = RowPick.for_batch(batch, alice, rows=5)
    pick.status = RunStatus.QUEUED
    pick.save()
    distillation = Distillation.objects.create(
        team=team, model=model, run=done, created_by=alice, status=RunStatus.FINISHED,
        metrics={"distill_ok": True},
    )  # fmt: skip
    token, secret = ApiToken.create(team, alice, "CRM")
    invitation, link = Invitation.create(team, alice, "new@example.org", Role.VIEWER)
    return SimpleNamespace(
        team=team, sheet=sheet, run=queued, model=model, batch=batch, pick=pick, token=token,
        secret=secret, invitation=invitation, link=link, distillation=distillation,
    )  # fmt: skip
