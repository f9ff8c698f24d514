"""Seed the renovation catalogue (and, where the organisations already exist, the default
joint-review rules). See linli/renewal/seed.py; the district office edits both afterwards."""

from django.db import migrations


def seed(apps, schema_editor):
    from linli.renewal.seed import seed_catalogue, seed_review_rules

    seed_catalogue(apps)
    # A fresh install has no organisations yet: this creates nothing then, and
    # `linli renewal seed-review-rules` seeds the rules once they are entered.
    seed_review_rules(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("renewal", "0001_initial"),
        ("registry", "0003_organisation_compound_property_company"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
