"""Picking runs to compare: a tick box beside each finished run on the runs list, "Compare its
runs" on a spreadsheet's page once it has two finished runs, and the compare page's own list
of that spreadsheet's finished runs."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import mapped_spreadsheet
from webapp.runs.models import RunStatus, TrainingRun


class ComparePickingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)
        self.done = self.make_run("done", RunStatus.FINISHED)
        self.waiting = self.make_run("waiting", RunStatus.QUEUED)
        self.client.force_login(self.alice)

    def make_run(self, name: str, status: str) -> TrainingRun:
        return TrainingRun.objects.create(
            team=self.alice_team, created_by=self.alice, spreadsheet=self.sheet, name=name,
            status=status,
        )  # fmt: skip

    def tick_box(self, run: TrainingRun) -> str:
        return f'<input type="checkbox" name="runs" value="{run.uuid}" form="compare-form"'

    def test_it_puts_a_tick_box_beside_each_finished_run(self):
        response = self.client.get(reverse("runs:list"))
        self.assertContains(response, self.tick_box(self.done))
        self.assertNotContains(response, self.tick_box(self.waiting))
        self.assertContains(
            response, f'<form method="get" action="{reverse("runs:compare")}" id="compare-form"'
        )
        self.assertContains(response, "Compare the ticked runs")

    def test_it_offers_compare_on_the_spreadsheet_page_from_two_finished_runs(self):
        page = reverse("spreadsheets:detail", args=[self.sheet.uuid])
        link = f"{reverse('runs:compare')}?spreadsheet={self.sheet.uuid}"
        self.assertNotContains(self.client.get(page), link)
        second = self.make_run("again", RunStatus.FINISHED)
        response = self.client.get(page)
        self.assertContains(response, link)
        self.assertContains(response, "Compare its 2 runs")
        picker = self.client.get(link)
        self.assertContains(picker, "Tick two or more finished runs to compare them.")
        for run in (self.done, second):
            self.assertContains(picker, f'value="{run.uuid}"')
        self.assertNotContains(picker, f'value="{self.waiting.uuid}"')
