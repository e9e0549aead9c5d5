"""The predictor cache: loading one model never holds up models already loaded, and two
requests for the same model load it once."""

import threading
from unittest import mock

from django.test import SimpleTestCase, override_settings

from webapp.catalog import predictors


class SlowLoads:
    """Stands in for Predictor.load: model "slow" loads only when released."""

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls = []

    def __call__(self, key, **options):
        self.calls.append(key)
        if key.endswith("slow"):
            self.started.set()
            assert self.release.wait(10), "never released"
        return f"predictor for {key}"


@override_settings(PREDICTOR_CACHE_SIZE=3)
class PredictorLocksTestCase(SimpleTestCase):
    def setUp(self):
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.loads = SlowLoads()
        patcher = mock.patch("finetune.predict.Predictor.load", self.loads)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_answers_loaded_models_while_another_loads(self):
        fast = predictors.get_predictor("/models/fast")
        loading = threading.Thread(target=predictors.get_predictor, args=("/models/slow",))
        loading.start()
        self.assertTrue(self.loads.started.wait(5))
        # The slow model is loading now; the loaded one answers at once.
        answers = []
        asking = threading.Thread(
            target=lambda: answers.append(predictors.get_predictor("/models/fast"))
        )
        asking.start()
        asking.join(2)
        self.assertEqual(answers, [fast], "a loading model held up a loaded one")
        self.loads.release.set()
        loading.join(5)
        self.assertEqual(predictors.loaded(), ["/models/fast", "/models/slow"])

    def test_it_loads_a_model_once_for_two_requests(self):
        threads = [
            threading.Thread(target=predictors.get_predictor, args=("/models/slow",))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        self.assertTrue(self.loads.started.wait(5))
        self.loads.release.set()
        for thread in threads:
            thread.join(5)
        self.assertEqual(self.loads.calls, ["/models/slow"])
