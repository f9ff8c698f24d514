from django.db import migrations


def seed(apps, schema_editor):
    from linli.consultation.profiles import seed_profiles

    seed_profiles(apps.get_model("consultation", "RuleProfile"))


class Migration(migrations.Migration):
    dependencies = [("consultation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
