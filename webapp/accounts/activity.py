"""What goes into a team's activity list without each view saying so: new spreadsheets,
training runs and trained models, recorded when their rows are created.

    connect()   # once, from AccountsConfig.ready()

Deletions, publishing, copies, invitations and tokens are recorded where they happen, since
only there is the person known.
"""

from django.db.models.signals import post_save

from webapp.accounts.models import Activity


def _spreadsheet_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        what = f'uploaded the spreadsheet "{instance.name}"'
        Activity.record(instance.team, instance.uploaded_by, what)


def _run_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.spreadsheet_id:  # copies of models have no spreadsheet
        Activity.record(instance.team, instance.created_by, f'started training "{instance.name}"')


def _model_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.copied_from_id is None:
        what = f'trained the model "{instance.name}"'
        Activity.record(instance.team, instance.run.created_by, what)


def connect() -> None:
    from webapp.catalog.models import TrainedModel
    from webapp.runs.models import TrainingRun
    from webapp.spreadsheets.models import Spreadsheet

    post_save.connect(_spreadsheet_created, Spreadsheet, dispatch_uid="activity-spreadsheet")
    post_save.connect(_run_created, TrainingRun, dispatch_uid="activity-run")
    post_save.connect(_model_created, TrainedModel, dispatch_uid="activity-model")
