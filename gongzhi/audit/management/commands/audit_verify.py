from django.core.management.base import BaseCommand, CommandError

from gongzhi.audit.models import AuditEntry
from gongzhi.audit.services import audit_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chains; exit 1 naming the first broken entry of each broken chain."

    def handle(self, *args, **options):
        breaks = list(audit_verify())
        if breaks:
            for b in breaks:
                self.stderr.write(f"BROKEN: {b}")
            raise CommandError(f"audit log tampered: first break at {breaks[0]}", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(f"audit log intact: {AuditEntry.objects.count()} entries verified")
        )
