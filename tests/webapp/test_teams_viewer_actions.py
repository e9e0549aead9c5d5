"""Each action shows only to the roles that may take it: a viewer sees no upload, train,
spreadsheet, cancel, retry, delete or API-token links, where a trainer of the same team does."""

from django.urls import reverse
from django.utils import timezone

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member, team_objects
from webapp.accounts.models import Role
from webapp.runs.models import RunStatus, TrainingRun


class ViewerActionsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        objects = team_objects(self)
        team, sheet = objects.team, objects.sheet
        failed = TrainingRun.objects.create(
            team=team, created_by=self.alice, spreadsheet=sheet, name="failed",
            status=RunStatus.FAILED,
        )  # fmt: skip
        done = objects.model.run
        self.viewer = add_member(team, "dave", Role.VIEWER)
        self.trainer = add_member(team, "erin", Role.TRAINER)
        # Running with a fresh heartbeat: the run page leaves it running (no repair).
        running = TrainingRun.objects.create(
            team=team, created_by=self.alice, spreadsheet=sheet, name="running",
            status=RunStatus.RUNNING, heartbeat=timezone.now(),
        )  # fmt: skip
        sheet_url = reverse("spreadsheets:detail", args=[sheet.uuid])
        tokens_url = reverse("token_list", args=[team.uuid])
        cancel_url = reverse("runs:cancel", args=[running.uuid])
        # page -> the links and forms on it that only trainers and admins may use
        self.actions = {
            reverse("home"): [reverse("spreadsheets:upload"), sheet_url],
            reverse("spreadsheets:list"): [
                reverse("spreadsheets:upload"),
                sheet_url,
                reverse("spreadsheets:download", args=[sheet.uuid]),
            ],
            reverse("runs:list"): ["Train a new model</a>"],
            reverse("runs:detail", args=[running.uuid]): [cancel_url],
            reverse("runs:status", args=[running.uuid]): [cancel_url],
            reverse("runs:detail", args=[failed.uuid]): [
                reverse("runs:retry", args=[failed.uuid]),
                reverse("runs:delete", args=[failed.uuid]),
            ],
            reverse("runs:detail", args=[done.uuid]): [reverse("runs:delete", args=[done.uuid])],
            reverse("team_detail", args=[team.uuid]): [tokens_url],
            reverse("catalog:list"): [tokens_url],  # the top bar's menu
        }

    def test_it_hides_them_from_viewers(self):
        self.client.force_login(self.viewer)
        for url, actions in self.actions.items():
            page = self.client.get(url)
            self.assertEqual(page.status_code, 200, url)
            for action in actions:
                self.assertNotContains(page, action, msg_prefix=url)

    def test_it_shows_them_to_trainers(self):
        self.client.force_login(self.trainer)
        for url, actions in self.actions.items():
            page = self.client.get(url)
            for action in actions:
                self.assertContains(page, action, msg_prefix=url)

    def test_it_tells_viewers_who_uploads(self):
        self.client.force_login(self.viewer)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "You are a viewer in alice&#x27;s team")
        page = self.client.get(reverse("spreadsheets:list"))
        self.assertContains(page, "(you are a viewer)")
