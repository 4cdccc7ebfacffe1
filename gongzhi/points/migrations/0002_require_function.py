"""PostgreSQL: ``gongzhi_require(ok, reason)``, which fails the statement it is part of unless ``ok``.

A single statement of data-modifying ``WITH`` parts runs every part to completion whatever the
others matched. An award taken outside a transaction (``points/services/fast_award.py``) writes
its rows in one such statement, each part conditioned on what it read a moment before (the
audit chain head still at the read sequence, the cap counter still at the read totals, the home
shard still able to pay); this function turns a part that matched nothing into an error, so the
statement — its own transaction — writes nothing at all. SQLite never takes that path.
"""

from django.db import migrations

SQLSTATE = "GZ001"  # class "GZ" is no standard one: psycopg raises it as a plain DatabaseError

CREATE = f"""
CREATE OR REPLACE FUNCTION gongzhi_require(ok boolean, reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = '{SQLSTATE}', MESSAGE = reason;
    END IF;
    RETURN TRUE;
END
$$
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS gongzhi_require(boolean, text)")


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
