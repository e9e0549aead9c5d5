"""The compare page on a web machine whose run folders are kept in a bucket: it reads each
run's evaluation and test rows from the storage, as the evaluation page does."""

import shutil

from finetune.rundir import INFO_FILE
from lib import files
from tests.webapp.base import BaseTestCase
from tests.webapp.compare_support import (
    changed_by_hand,
    compare_url,
    two_runs,
)
from tests.webapp.s3_support import s3_server


class CompareS3TestCase(BaseTestCase):
    def test_it_compares_runs_kept_in_a_bucket(self):
        with s3_server() as s3, s3.settings(self.media_root / "cache"):
            _, a, b = two_runs(self)
            fixed, broken = changed_by_hand(a, b)
            for run in (a, b):
                files.publish_folder(run.files_name, INFO_FILE)
                shutil.rmtree(run.out_dir)  # this machine has no copy: only the bucket has
            self.client.force_login(self.alice)
            response = self.client.get(compare_url(a, b))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"{len(fixed)} fixed, {len(broken)} broken")
        self.assertContains(response, "<h2>Per label</h2>", html=True)
        self.assertContains(response, "A: eight</h3>")
        self.assertNotContains(response, "could not be read")
