"""`gongzhi volunteering_remind`: remind volunteers before their activities start, for cron.

*/10 * * * *  /srv/gongzhi/.venv/bin/gongzhi volunteering_remind            # run it now, here
*/10 * * * *  /srv/gongzhi/.venv/bin/gongzhi volunteering_remind --enqueue  # hand it to `gongzhi worker`
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gongzhi.volunteering.tasks import remind


class Command(BaseCommand):
    help = "Remind confirmed volunteers of activities starting soon (each sign-up once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the task for a worker instead of running it"
        )
        parser.add_argument(
            "--batch", type=int, default=500, help="at most this many reminders (default 500)"
        )

    def handle(self, *args, enqueue: bool = False, batch: int = 500, **options):
        if enqueue:
            result = remind.enqueue(batch=batch)
            self.stdout.write(f"queued task {result.id}")
            return
        self.stdout.write(f"reminded: {remind.call(batch=batch)}")
