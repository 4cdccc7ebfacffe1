from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.areas.services import areas_import_csv


class Command(BaseCommand):
    help = "Load the area tree from a CSV (code,name,lat,lng,population); default: the bundled Jianyang + Weibin tree."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None)

    def handle(self, *args, path=None, **options):
        try:
            n = areas_import_csv(source=path)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{n} areas loaded"))
