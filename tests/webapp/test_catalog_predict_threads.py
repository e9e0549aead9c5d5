"""The web process predicts on PREDICT_THREADS threads: one per answer by default, so a few
answers at once do not fight over the cores."""

import torch
from django.test import SimpleTestCase, override_settings

from tests.webapp.runs_support import trained_run_dir
from webapp.catalog import predictors


class PredictThreadsTestCase(SimpleTestCase):
    def setUp(self):
        predictors.clear()
        self.addCleanup(predictors.clear)
        before = torch.get_num_threads()
        self.addCleanup(torch.set_num_threads, before)

    def test_it_loads_models_for_the_threads_the_settings_give(self):
        from django.conf import settings

        self.assertEqual(settings.PREDICT_THREADS, 1)
        torch.set_num_threads(2)
        predictor = predictors.get_predictor(trained_run_dir())
        self.assertEqual(torch.get_num_threads(), 1)
        self.assertIn(predictor.predict(["the film was great"])[0]["label"],
                      predictor.labels)  # fmt: skip

    @override_settings(PREDICT_THREADS=2)
    def test_more_threads_when_asked(self):
        torch.set_num_threads(1)
        predictors.get_predictor(trained_run_dir())
        self.assertEqual(torch.get_num_threads(), 2)
