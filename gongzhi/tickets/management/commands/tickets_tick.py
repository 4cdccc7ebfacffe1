"""`gongzhi tickets_tick`: the ticket engine's periodic work, for cron.

*/5 * * * *  /srv/gongzhi/.venv/bin/gongzhi tickets_tick            # run it now, here
*/5 * * * *  /srv/gongzhi/.venv/bin/gongzhi tickets_tick --enqueue  # hand it to `gongzhi worker`
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gongzhi.tickets.tasks import tick


class Command(BaseCommand):
    help = "Expire unanswered offers, remind before deadlines, escalate overdue tickets, auto-close resolved ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the task for a worker instead of running it"
        )
        parser.add_argument(
            "--batch", type=int, default=500, help="at most this many tickets per step (default 500)"
        )

    def handle(self, *args, enqueue: bool = False, batch: int = 500, **options):
        if enqueue:
            result = tick.enqueue(batch=batch)
            self.stdout.write(f"queued task {result.id}")
            return
        counts = tick.call(batch=batch)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
