"""`manage.py repair_runs`: mark runs and batch predictions failed whose worker died."""

from django.core.management.base import BaseCommand

from webapp.runs.maintenance import repair_runs


class Command(BaseCommand):
    help = "Mark queued or running jobs failed when no worker is working on them any more."

    def handle(self, *args, **options):
        repaired = repair_runs()
        self.stdout.write(f"Repaired {repaired} run{'s' if repaired != 1 else ''}.")
