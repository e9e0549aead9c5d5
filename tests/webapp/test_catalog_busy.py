"""Busy, try again: a web process computes at most PREDICT_CONCURRENCY predictions at once; a
request that finds every slot taken for PREDICT_WAIT_SECONDS gets 429, Retry-After and a
plain sentence (API and Try it), instead of waiting in a queue that only grows under load.

The slots are held here by the test itself (predictors.prediction_slot), so "full" is exact.
bench/load.py puts the same limit under 50 concurrent clients.
"""

import json
import sys
import threading

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.waiting import wait_until
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.accounts.models import ApiToken
from webapp.catalog import predictors

ONE_SLOT = override_settings(PREDICT_CONCURRENCY=1, PREDICT_WAIT_SECONDS=0)
SLOT_CODE = predictors.prediction_slot.__wrapped__.__code__


def waiting_for_a_slot(thread_id: int) -> bool:
    """Whether the thread is inside prediction_slot() before its body: waiting for a slot,
    while the test holds the only one (the body runs outside the generator's frame)."""
    frame = sys._current_frames().get(thread_id)
    while frame is not None and frame.f_code is not SLOT_CODE:
        frame = frame.f_back
    return frame is not None


class BusyTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice)
        _, secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        self.auth = {"Authorization": f"Bearer {secret}"}

    def api_predict(self):
        return self.client.post(
            reverse("api:predict", args=[self.model.uuid]),
            json.dumps({"inputs": ["the film was great"]}),
            content_type="application/json",
            headers=self.auth,
        )

    def try_it(self, **headers):
        self.client.force_login(self.alice)
        url = reverse("catalog:try", args=[self.model.uuid])
        return self.client.post(url, {"text": "the film was great"}, **headers)

    @ONE_SLOT
    def test_the_api_answers_busy_when_every_slot_is_taken(self):
        with predictors.prediction_slot():
            response = self.api_predict()
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json(), {"detail": predictors.BUSY})
        self.assertEqual(response["Retry-After"], str(predictors.RETRY_AFTER))
        self.assertEqual(self.api_predict().status_code, 200)  # the slot is free again

    @ONE_SLOT
    def test_try_it_answers_busy_in_the_page_and_the_partial(self):
        with predictors.prediction_slot():
            partial = self.try_it(HTTP_HX_REQUEST="true")
            page = self.try_it()
        for response in (partial, page):
            self.assertContains(response, predictors.BUSY, status_code=429)
            self.assertEqual(response["Retry-After"], str(predictors.RETRY_AFTER))
        self.assertContains(self.try_it(HTTP_HX_REQUEST="true"), "% sure")

    @override_settings(PREDICT_CONCURRENCY=1, PREDICT_WAIT_SECONDS=5)
    def test_a_request_waits_for_a_slot_that_frees_up_in_time(self):
        predictors.get_predictor(self.model.run_dir)  # loaded: only the slot is waited for
        request_thread, held, freed = threading.get_ident(), threading.Event(), []

        def hold_until_the_request_waits():
            with predictors.prediction_slot():
                held.set()
                freed.append(wait_until(lambda: waiting_for_a_slot(request_thread), 10, "a wait"))

        holder = threading.Thread(target=hold_until_the_request_waits)
        holder.start()
        self.assertTrue(held.wait(10))
        response = self.api_predict()
        holder.join()
        self.assertEqual(freed, [True], "the request never waited for the slot")
        self.assertEqual(response.status_code, 200, response.content)

    def test_slots_are_released_when_a_prediction_fails(self):
        with ONE_SLOT:
            with self.assertRaises(RuntimeError):
                with predictors.prediction_slot():
                    raise RuntimeError("the model broke")
            with predictors.prediction_slot():
                pass  # not Busy: the failed one gave its slot back
