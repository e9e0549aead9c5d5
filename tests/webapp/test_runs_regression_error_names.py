"""A regression run's pages call one figure the "typical error" (MAE): the headline and the
verdict never give that name to RMSE."""

import re

from tests.webapp.base import BaseTestCase
from webapp.runs.evaluation import verdict
from webapp.runs.models import TrainingRun

SCORES = {"mae": 0.42, "rmse": 0.61, "r2": 0.7, "pearson": 0.84, "spearman": 0.83}


class RegressionErrorNamesTestCase(BaseTestCase):
    def test_it_calls_only_mae_the_typical_error(self):
        metrics = {f"test_{k}": v for k, v in SCORES.items()} | {"test_rows": 100}
        metrics |= {"baseline_tfidf_rmse": 0.9, "baseline_mean_rmse": 1.2}
        run = TrainingRun(task="regression", metrics=metrics)
        said = [name for name, _ in run.figures] + [verdict(run)]
        self.assertEqual(run.figures[0], ("Typical error (MAE)", "0.42"))
        self.assertEqual(
            verdict(run), "Fine-tuning helped: the model beats the simple TF-IDF baseline on RMSE."
        )
        for words in said:
            for named in re.findall(r"typical error \((\w+)\)", words, flags=re.I):
                self.assertEqual(named, "MAE", words)
