"""`manage.py repair_runs`: recover the queued jobs' rows (runs, batch predictions, label
checks, row picks) whose worker died, and enqueue again those never enqueued."""

from django.core.management.base import BaseCommand

from webapp.queue.maintenance import repair_runs


class Command(BaseCommand):
    help = "Mark queued or running jobs failed when no worker is working on them any more."

    def handle(self, *args, **options):
        repaired = repair_runs()
        self.stdout.write(f"Repaired {repaired} run{'s' if repaired != 1 else ''}.")
