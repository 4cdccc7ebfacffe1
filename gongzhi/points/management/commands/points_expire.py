from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.points.services import expiry


class Command(BaseCommand):
    help = (
        "Year-end points expiry (when GONGZHI_POINTS_EXPIRY is on): --notify records this year's "
        "notices (run it in December, e.g. from cron on 1 Dec); without it, expires the year's old "
        "points (run it on 31 December)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="the year whose end it is (default: this year)"
        )
        parser.add_argument("--notify", action="store_true", help="only record the notices")

    def handle(self, *args, year=None, notify=False, **options):
        year = year or timezone.localdate().year
        try:
            if notify:
                count = expiry.expiry_notify(year=year)
                self.stdout.write(
                    self.style.SUCCESS(f"{count} people told of points expiring at the end of {year}")
                )
                return
            run = expiry.expiry_run(year=year)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=1) from None
        self.stdout.write(
            self.style.SUCCESS(f"{run.points} points of {run.accounts} people expired for {year}")
        )
