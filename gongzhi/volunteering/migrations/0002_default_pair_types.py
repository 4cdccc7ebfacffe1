from django.db import migrations

DEFAULTS = [
    # code, name, people tag, visit every (days), needs a guardian's consent
    ("caring_mother", "爱心妈妈结对留守儿童", "left_behind_child", 30, True),
    ("neighbour_guardian", "邻里守护人结对独居老人", "elderly_alone", 7, False),
]


def add(apps, schema_editor):
    PairType = apps.get_model("volunteering", "PairType")
    for code, name, tag, days, consent in DEFAULTS:
        PairType.objects.get_or_create(
            code=code, defaults={"name": name, "person_tag": tag, "visit_every_days": days, "needs_consent": consent}
        )


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
