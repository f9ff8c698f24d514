"""On PostgreSQL, a trigger refuses UPDATE and DELETE of audit events, whoever asks.

The model and its queryset already refuse through the ORM; the trigger also stops raw SQL and
other clients of the database. It is a row-level trigger, so TRUNCATE (an operator's explicit
act, and what the test runner uses to empty tables) is not affected. SQLite, the laptop demo,
gets no trigger.
"""

from django.db import migrations

FUNCTION = "core_auditevent_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (审计记录只能追加,不能修改或删除): % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {FUNCTION} ON core_auditevent;
CREATE TRIGGER {FUNCTION}
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {FUNCTION} ON core_auditevent;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_event")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
