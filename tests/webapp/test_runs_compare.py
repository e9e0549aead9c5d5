"""The compare page with real tiny runs of one spreadsheet: the settings that differ, the
figures, the per-label tables and confusion matrices side by side, and the test rows fixed and
broken between the first run and the others."""

import json
from unittest.mock import patch

from django.urls import reverse
from django.utils.html import escape

from tests.webapp.base import BaseTestCase
from tests.webapp.compare_support import (
    changed_by_hand,
    compare_url,
    finished_run,
    other_split_dir,
    rows_of,
    two_runs,
)
from tests.webapp.runs_support import SCRIPT_LABEL
from webapp.accounts.models import Team
from webapp.runs import compare

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def section(response, element_id: str) -> str:
    """The HTML of the page part with this id, up to the next card."""
    return response.content.decode().split(f'id="{element_id}"')[1].split('<div class="card')[0]


class CompareTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet, self.a, self.b = two_runs(self)
        self.client.force_login(self.alice)

    def test_it_shows_only_the_settings_that_differ(self):
        response = self.client.get(compare_url(self.a, self.b))
        self.assertEqual(response.status_code, 200)
        settings = section(response, "compare-settings")
        self.assertIn("<td>Epochs</td><td>8</td><td>20</td>", settings.replace("\n", ""))
        self.assertNotIn("Base model", settings)  # the same for both
        self.assertNotIn("Learning rate", settings)

    def test_it_puts_the_figures_side_by_side(self):
        response = self.client.get(compare_url(self.a, self.b))
        figures = section(response, "compare-figures")
        for (name, first), (_, second) in zip(self.a.figures, self.b.figures, strict=True):
            self.assertIn(f"<td>{name}</td>", figures)
            self.assertIn(f'<td class="num">{first}</td><td class="num">{second}</td>', figures)
        self.assertContains(response, compare.headline(self.a))
        self.assertContains(response, compare.headline(self.b))

    def test_it_puts_the_per_label_tables_and_matrices_side_by_side(self):
        response = self.client.get(compare_url(self.a, self.b))
        self.assertContains(response, "<h2>Per label</h2>", html=True)
        evaluations = [
            json.loads((r.out_dir / "evaluation.json").read_text()) for r in (self.a, self.b)
        ]
        table = response.content.decode().split("<h2>Per label</h2>")[1].split("</table>")[0]
        for label_row in evaluations[0]["per_label"]:
            label = label_row["label"]
            f1s = [
                next(r for r in e["per_label"] if r["label"] == label)["f1"] for e in evaluations
            ]
            cells = f'<td class="num">{f1s[0]:.2f}</td><td class="num">{f1s[1]:.2f}</td>'
            row = table.split(f"<td>{label}</td>".replace(SCRIPT_LABEL, ESCAPED))[1].split("</tr>")[
                0
            ]
            self.assertIn(cells, row)
        matrices = section(response, "compare-matrices")
        self.assertEqual(matrices.count('<table class="confusion">'), 2)
        self.assertIn(reverse("runs:evaluation", args=[self.b.uuid]) + "?", matrices)

    def test_it_lists_the_rows_fixed_and_broken(self):
        fixed, broken = changed_by_hand(self.a, self.b)
        self.assertTrue(fixed and broken, "the tiny runs should differ both ways")
        response = self.client.get(compare_url(self.b, self.a))  # A is the earlier run anyway
        changes = section(response, "compare-changes")
        self.assertIn(f"{len(fixed)} fixed, {len(broken)} broken", changes)
        fixed_part, broken_part = changes.split("<h4>Fixed")[1].split("<h4>Broken")
        listed = [cell.split("</td>")[0] for cell in fixed_part.split('<tr><td class="num">')[1:]]
        self.assertEqual(listed, fixed)
        listed = [cell.split("</td>")[0] for cell in broken_part.split('<tr><td class="num">')[1:]]
        self.assertEqual(listed, broken)
        before, after = rows_of(self.a)[fixed[0]], rows_of(self.b)[fixed[0]]
        said = f"<td>{before['prediction']}</td><td>{after['prediction']}</td>"
        self.assertIn(said.replace(SCRIPT_LABEL, ESCAPED), fixed_part)
        self.assertNotContains(response, SCRIPT_LABEL)

    def test_it_shows_more_rows_on_request(self):
        fixed, _ = changed_by_hand(self.a, self.b)
        self.assertGreater(len(fixed), 2)
        with patch.object(compare, "CHANGED_SHOWN", 2):
            response = self.client.get(compare_url(self.a, self.b))
            self.assertContains(response, f"Fixed: {len(fixed)} rows, the first 2 shown")
            more = compare_url(self.a, self.b, shown=4)
            self.assertContains(response, more.split("?")[1].replace("&", "&amp;"))
            response = self.client.get(more)
        self.assertContains(response, f"Fixed: {len(fixed)} rows")
        self.assertNotContains(response, "the first 2 shown")
        self.assertNotContains(response, "Show more")

    def test_it_compares_rows_only_where_the_test_rows_are_the_same(self):
        other = finished_run(
            self.alice_team, self.alice, self.sheet, other_split_dir(), "seed", minutes_ago=10
        )
        common = set(rows_of(self.a)) & set(rows_of(other))
        self.assertTrue(0 < len(common) < len(rows_of(other)))
        response = self.client.get(compare_url(self.a, self.b, other))
        self.assertContains(response, f"{len(common)} test rows are in both runs")
        self.assertContains(response, "A → C (“seed”)")
        self.assertIn("<td>Random seed</td>", section(response, "compare-settings"))

    def test_it_says_when_the_columns_or_fixes_differ(self):
        self.assertNotContains(self.client.get(compare_url(self.a, self.b)), "like for like")
        self.b.fixes = [{"kind": "drop_label", "label": "negative"}]
        self.b.save(update_fields=["fixes"])
        response = self.client.get(compare_url(self.a, self.b))
        self.assertContains(
            response,
            "“twenty” trained with other columns or data fixes than “eight”, so the figures do "
            "not compare like for like.",
        )

    def test_it_says_a_copy_has_no_test_rows(self):
        research = Team.create_for(self.alice, "Research")
        self.client.post(reverse("catalog:copy", args=[self.b.model.uuid]), {"team": research.uuid})
        copy = research.runs.get()
        response = self.client.get(compare_url(self.a, copy))
        self.assertEqual(response.status_code, 200)
        said = "“twenty” is a copy of another team's model: its test rows stayed with the team "
        self.assertContains(
            response, escape(said + "that trained it, so its changed answers can't be shown.")
        )
        self.assertContains(response, "A → B (“twenty”)</h3>")  # no counts
        self.assertContains(response, "no longer has a spreadsheet in this team")
        self.assertIn(
            "<td>Epochs</td><td>8</td><td>20</td>", response.content.decode().replace("\n", "")
        )
