"""The platforms riders of the seed work for; more are added in the admin."""

from django.db import migrations

PLATFORMS = [
    ("meituan", "美团", 10),
    ("eleme", "饿了么", 20),
    ("sf", "顺丰", 30),
    ("dada", "达达", 40),
    ("didi", "滴滴", 50),
    ("jd", "京东", 60),
    ("shansong", "闪送", 70),
    ("huolala", "货拉拉", 80),
    ("other", "其他", 999),
]


def add(apps, schema_editor):
    Platform = apps.get_model("passes", "Platform")
    for code, name, order in PLATFORMS:
        Platform.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def remove(apps, schema_editor):
    apps.get_model("passes", "Platform").objects.filter(code__in=[c for c, _, _ in PLATFORMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("passes", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
