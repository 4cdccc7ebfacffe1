"""The standard station functions of Jianyang's mass-organisation stations (the seed: 职工之家,
青年之家, 工会驿站, 暖心驿站, 暖心角 …). Loaded by a data migration; staff add more on the functions
page. Plain data, so the migration can read it without importing models."""

from __future__ import annotations

# (code, name, English name, description)
FUNCTIONS: list[tuple[str, str, str, str]] = [
    ("workers_home", "职工之家", "Workers' home", "工会为职工提供学习、休息、文体活动的阵地"),
    ("youth_home", "青年之家", "Youth home", "共青团联系服务青年的阵地"),
    ("women_home", "妇女之家", "Women's home", "妇联服务妇女儿童家庭的阵地"),
    ("union_station", "工会驿站", "Trade-union rest stop", "为户外劳动者提供歇脚、饮水、充电、热饭"),
    ("warm_station", "暖心驿站", "Warm-heart rest stop", "为新就业群体和户外劳动者提供暖心服务"),
    ("warm_corner", "暖心角", "Warm-heart corner", "商户、网点设置的便民服务角"),
    ("elderly_centre", "老年活动中心", "Elderly activity centre", "“一老”日间照料、文娱活动"),
    ("children_home", "儿童之家", "Children's home", "“一小”课后托管、关爱服务"),
    (
        "new_employment",
        "新就业群体服务站",
        "New-employment workers' service point",
        "骑手、快递员、网约车司机服务站",
    ),
    ("disabled_home", "残疾人之家", "Home for people with disabilities", "残联康复、就业帮扶阵地"),
]


def ensure_standard_functions(model) -> int:
    """Create the standard functions that are missing (``model``: the StationFunction model,
    historical in a migration). Returns how many were created."""
    created = 0
    for order, (code, name, name_en, description) in enumerate(FUNCTIONS, start=1):
        _obj, made = model.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "description": description, "order": order * 10},
        )
        created += made
    return created
