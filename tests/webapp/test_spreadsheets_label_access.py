"""Labels that look wrong are the team's trainers' own: other teams get 404 on every label
URL, viewers 403 (they never see a spreadsheet's rows, nor its fix buttons), posts need the
CSRF token, and none of these refused requests changes anything."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.label_support import LabelIssuesMixin
from tests.webapp.runs_support import RedisMixin
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role
from webapp.spreadsheets.label_checks import LabelCheck


class LabelAccessTestCase(LabelIssuesMixin, RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = self.noisy_sheet()
        self.look_for_wrong_labels(self.sheet)
        self.row = min(self.truth) + 2
        args = [self.sheet.uuid]
        self.posts = {
            reverse("spreadsheets:label_check", args=args): {"base_model": "local:topic-bert"},
            reverse("spreadsheets:label_fix", args=args): {"row": self.row, "action": "drop"},
            reverse("spreadsheets:label_fix_all", args=args): {"percent": "50"},
        }
        self.status_url = reverse("spreadsheets:label_status", args=args)

    def assert_unchanged(self):
        self.sheet.refresh_from_db()
        self.assertEqual((self.sheet.fixes, LabelCheck.objects.count()), ([], 1))

    def test_it_answers_404_to_other_teams(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.status_url).status_code, 404)
        for url, data in self.posts.items():
            self.assertEqual(self.client.post(url, data).status_code, 404, url)
        self.assert_unchanged()

    def test_it_refuses_viewers(self):
        dave = add_member(self.alice_team, "dave", Role.VIEWER)
        self.client.force_login(dave)
        self.assertEqual(self.client.get(self.status_url).status_code, 403)
        for url, data in self.posts.items():
            self.assertEqual(self.client.post(url, data).status_code, 403, url)
        self.assert_unchanged()

    def test_it_lets_trainers_of_the_team_see_and_fix(self):
        erin = add_member(self.alice_team, "erin", Role.TRAINER)
        self.client.force_login(erin)
        status = self.client.get(self.status_url)
        self.assertContains(status, f'<tr id="label-issue-{self.row}">')
        self.assertContains(status, "Drop row</button>")

    def test_it_needs_the_csrf_token(self):
        client = self.csrf_client(self.alice)
        for url, data in self.posts.items():
            self.assertEqual(client.post(url, data).status_code, 403, url)
        self.assert_unchanged()

    def test_it_escapes_the_texts_and_labels(self):
        self.sheet.label_checks.update(result=self.sheet.label_checks.get().result | {
            "issues": [{"row": self.row, "text": "<script>alert(1)</script>", "given": "<b>x",
                        "suggested": "<i>y", "confidence": 0.9, "score": 0.1}],
        })  # fmt: skip
        page = self.client.get(self.status_url).content.decode()
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertIn("Change to “&lt;i&gt;y”", page)
        self.assertNotIn("<script>alert", page)
