"""The functions of Jianyang's mass-organisation stations (the seed: 职工之家, 青年之家, 工会驿站,
暖心驿站, 暖心角 …); staff add more on the functions page."""

from django.db import migrations

FUNCTIONS = [
    ("workers_home", "职工之家", "Workers' home", "工会为职工提供学习、休息、文体活动的阵地"),
    ("youth_home", "青年之家", "Youth home", "共青团联系服务青年的阵地"),
    ("women_home", "妇女之家", "Women's home", "妇联服务妇女儿童家庭的阵地"),
    ("union_station", "工会驿站", "Trade-union rest stop", "为户外劳动者提供歇脚、饮水、充电、热饭"),
    ("warm_station", "暖心驿站", "Warm-heart rest stop", "为新就业群体和户外劳动者提供暖心服务"),
    ("warm_corner", "暖心角", "Warm-heart corner", "商户、网点设置的便民服务角"),
    ("elderly_centre", "老年活动中心", "Elderly activity centre", "“一老”日间照料、文娱活动"),
    ("children_home", "儿童之家", "Children's home", "“一小”课后托管、关爱服务"),
    ("new_employment", "新就业群体服务站", "New-employment workers' service point", "骑手、快递员、网约车司机服务站"),
    ("disabled_home", "残疾人之家", "Home for people with disabilities", "残联康复、就业帮扶阵地"),
]


def add(apps, schema_editor):
    StationFunction = apps.get_model("stations", "StationFunction")
    for order, (code, name, name_en, description) in enumerate(FUNCTIONS, start=1):
        StationFunction.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "description": description, "order": order * 10}
        )


def remove(apps, schema_editor):
    StationFunction = apps.get_model("stations", "StationFunction")
    StationFunction.objects.filter(code__in=[f[0] for f in FUNCTIONS], stations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
