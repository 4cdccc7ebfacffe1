"""The standard functions of Jianyang's stations (gongzhi/stations/standard.py)."""

from django.db import migrations

from gongzhi.stations.standard import FUNCTIONS, ensure_standard_functions


def add(apps, schema_editor):
    ensure_standard_functions(apps.get_model("stations", "StationFunction"))


def remove(apps, schema_editor):
    StationFunction = apps.get_model("stations", "StationFunction")
    StationFunction.objects.filter(code__in=[f[0] for f in FUNCTIONS], stations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
