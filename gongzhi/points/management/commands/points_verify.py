from django.core.management.base import BaseCommand, CommandError

from gongzhi.points.services.ledger import ledger_verify


class Command(BaseCommand):
    help = (
        "Recompute every points balance from the transfers and check the zero sum; "
        "exit 1 naming the first account that disagrees."
    )

    def handle(self, *args, **options):
        report = ledger_verify()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"MISMATCH: {problem}")
            raise CommandError(
                f"points ledger does not add up: first problem at {report.problems[0]}", returncode=1
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"points ledger balanced: {report.accounts} accounts, {report.transfers} transfers, sum of balances 0"
            )
        )
