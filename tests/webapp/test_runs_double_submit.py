"""One click, one run: the "Train" page carries the id its run will get, so a second POST of
the same page (a double click) goes to the first run instead of starting another."""

import re

from django.urls import reverse
from rq import Queue

import tests.webapp.test_runs_new as new_run_page
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, mapped_spreadsheet
from webapp.runs.models import TrainingRun


class DoubleSubmitTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)
        self.url = reverse("runs:new", args=[self.sheet.uuid])
        self.client.force_login(self.alice)

    def page_key(self) -> str:
        html = self.client.get(self.url).content.decode()
        return re.search(r'<input type="hidden" name="run_uuid" value="([0-9a-f-]{36})"', html)[1]

    def post(self, key: str):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, new_run_page.FORM | {"run_uuid": key})

    def test_it_starts_one_run_for_two_clicks(self):
        key = self.page_key()
        first = self.post(key)
        second = self.post(key)
        run = TrainingRun.objects.get()
        self.assertEqual(str(run.uuid), key)
        self.assertRedirects(first, reverse("runs:detail", args=[run.uuid]))
        self.assertRedirects(second, reverse("runs:detail", args=[run.uuid]))
        self.assertEqual(Queue("training", connection=self.redis).count, 1)

    def test_each_page_shown_starts_its_own_run(self):
        keys = self.page_key(), self.page_key()
        self.assertNotEqual(*keys)
        for key in keys:
            self.assertEqual(self.post(key).status_code, 302)
        self.assertEqual(TrainingRun.objects.count(), 2)

    def test_a_page_without_a_key_still_starts_a_run(self):
        self.assertEqual(self.post("").status_code, 302)
        self.assertEqual(TrainingRun.objects.count(), 1)

    def test_it_never_takes_over_another_teams_run(self):
        bobs = TrainingRun.objects.create(team=self.bob_team, created_by=self.bob, name="Bob's")
        response = self.post(str(bobs.uuid))
        mine = TrainingRun.objects.get(team=self.alice_team)
        self.assertNotEqual(mine.uuid, bobs.uuid)
        self.assertRedirects(response, reverse("runs:detail", args=[mine.uuid]))
        bobs.refresh_from_db()
        self.assertEqual((bobs.status, bobs.name), ("created", "Bob's"))
