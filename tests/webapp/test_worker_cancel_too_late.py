"""Cancel pressed as a run ends, on a real worker: the worker saves the model before it sees
the cancel, so the run finishes with its model, and its page says the cancel came too late.

The click lands either while the model is being saved (past the worker's last cancel check)
or just after the run finished; both are the same race for the person clicking.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.webapp import test_worker_training as training
from tests.webapp.test_worker_s3 import final
from tests.webapp.test_worker_training import logged_in_client, start_run, wait_for
from webapp.catalog.models import TrainedModel
from webapp.runs.models import TrainingRun
from webapp.runs.words import CANCELED_TOO_LATE

pytestmark = pytest.mark.slow
redis_proc, shared, worker = training.redis_proc, training.shared, training.worker


def test_it_keeps_the_model_and_says_the_cancel_came_too_late(shared, worker):
    client = logged_in_client()
    run = start_run(client, rows=400, epochs="2")

    # 1. The worker saves the model: it checks for a cancel no more.
    def saving():
        run.refresh_from_db()
        return run.progress.get("phase") in ("saving", "done") or run.is_final

    wait_for(saving, 240, "the model to be saved", worker, every=0.05)  # a short moment
    assert run.status in ("running", "finished"), (run.status, run.message, run.log)
    # 2. Cancel is pressed on the page, which still showed the button.
    page = client.post(reverse("runs:cancel", args=[run.uuid]), follow=True)
    assert "nothing to cancel" not in page.content.decode()

    wait_for(final(run), 120, "the run to end", worker)
    assert run.status == TrainingRun.Status.FINISHED, (run.status, run.message, run.log)
    assert TrainedModel.objects.filter(run=run).exists()
    page = client.get(reverse("runs:detail", args=[run.uuid])).content.decode()
    assert escape(CANCELED_TOO_LATE) in page
    assert page.count(f'action="{reverse("runs:delete", args=[run.uuid])}"') == 1
