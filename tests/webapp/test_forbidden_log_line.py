"""A refusal for a role too low (403) logs exactly one line: who, what and why, without a
traceback; the person sees the plain "Not allowed" page."""

import logging

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role


class ForbiddenLogLineTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.viewer = add_member(self.alice_team, "dave", Role.VIEWER)
        self.client.force_login(self.viewer)

    def test_it_logs_one_line_without_a_traceback(self):
        url = reverse("spreadsheets:upload")
        with self.assertLogs(level=logging.DEBUG) as logged:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        self.assertContains(
            response, "Your role in this team does not allow this.", status_code=403
        )
        self.assertEqual(len(logged.records), 1, logged.output)
        record = logged.records[0]
        self.assertEqual(record.name, "django.request")
        self.assertEqual(record.levelno, logging.WARNING)
        self.assertIsNone(record.exc_info)
        self.assertIsNone(record.exc_text)
        line = record.getMessage()
        self.assertEqual(
            line,
            f"Forbidden: GET {url} by dave: Your role in this team does not allow this. "
            "Ask one of the team's admins.",
        )
        self.assertNotIn("\n", logging.Formatter().format(record))

    def test_it_logs_one_line_for_a_refused_post_too(self):
        url = reverse("team_rename", args=[self.alice_team.uuid])
        with self.assertLogs(level=logging.DEBUG) as logged:
            response = self.client.post(url, {"name": "Mine now"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(len(logged.records), 1, logged.output)
        self.assertIsNone(logged.records[0].exc_info)
        self.assertTrue(logged.records[0].getMessage().startswith(f"Forbidden: POST {url} by dave"))
