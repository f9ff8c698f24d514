"""Benchmark: the monthly bulletin (月通报), figures and Word file, for the Xigong demo and for
a synthetic district 20 times larger.

Printed against a baseline measured in the same run: executing only the report's aggregate
SQL — the very statements the figures build issues, captured once and replayed with a bare
cursor — so the ratio shows what the Python side (indicators per sub-district and zone,
scoring, charts, python-docx) costs on top of the database work. The larger district is made
by bulk-copying the demo's projects 19 times over fresh copies of their compounds (items,
funding, stage records, transitions and open supervision items included).
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCALE = 20
RUNS = 3


def _best(fn: Callable[[], Any], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def _measure(label: str, month: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.renewal.models import Project
    from linli.renewal.reports.figures import build_figures
    from linli.renewal.reports.periods import parse_period
    from linli.renewal.reports.render import render_docx

    period = parse_period("monthly", month)

    def full() -> None:
        figures = build_figures(kind="monthly", period=period, user=None, scope_label="bench")
        render_docx(figures)

    with CaptureQueriesContext(connection) as captured:
        build_figures(kind="monthly", period=period, user=None, scope_label="bench")
    statements = [q["sql"] for q in captured.captured_queries]

    def baseline() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    base = _best(baseline)
    elapsed = _best(full)
    print(
        f"bulletin_{label}: {elapsed:.2f} s ({Project.objects.count()} projects, "
        f"{len(statements)} queries); baseline (aggregate SQL only): {base:.3f} s; "
        f"ratio: {elapsed / base:.1f}x",
        flush=True,
    )


def _enlarge(copies: int) -> None:
    """Copy every demo project ``copies`` times over new copies of its compounds."""
    from django.db import transaction

    from linli.core import audit
    from linli.registry.models import Compound
    from linli.renewal import models as m

    projects = list(m.Project.objects.all())
    links = list(m.Project.compounds.through.objects.values_list("project_id", "compound_id"))
    compounds = {c.pk: c for c in Compound.objects.filter(pk__in={c for _, c in links})}
    items = list(m.ProjectItem.objects.all())
    funding = list(m.FundingLine.objects.all())
    stages = list(m.StageRecord.objects.all())
    transitions = list(m.Transition.objects.all())
    open_items = list(m.SupervisionItem.objects.filter(status="open"))
    with transaction.atomic(), audit.suppressed():
        for k in range(1, copies + 1):
            new_compound: dict[int, Compound] = {}
            for pk, compound in compounds.items():
                clone = Compound(
                    **{
                        f.attname: getattr(compound, f.attname)
                        for f in Compound._meta.concrete_fields
                    }
                )
                clone.pk = None
                clone.code = f"{compound.code[:26]}-x{k}"
                new_compound[pk] = clone
            Compound.objects.bulk_create(new_compound.values())
            new_project: dict[int, m.Project] = {}
            for project in projects:
                clone_p = m.Project(
                    **{
                        f.attname: getattr(project, f.attname)
                        for f in m.Project._meta.concrete_fields
                    }
                )
                clone_p.pk = None
                clone_p.code = f"{project.code[:26]}-x{k}"
                new_project[project.pk] = clone_p
            m.Project.objects.bulk_create(new_project.values())
            m.Project.compounds.through.objects.bulk_create(
                m.Project.compounds.through(
                    project_id=new_project[p].pk, compound_id=new_compound[c].pk
                )
                for p, c in links
            )
            for model, rows in (
                (m.ProjectItem, items),
                (m.FundingLine, funding),
                (m.StageRecord, stages),
                (m.Transition, transitions),
                (m.SupervisionItem, open_items),
            ):
                clones = []
                for row in rows:
                    values = {
                        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields
                    }
                    values["id"] = None
                    values["project_id"] = new_project[row.project_id].pk
                    clones.append(model(**values))
                model.objects.bulk_create(clones, batch_size=2000)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="linli-bench-bulletin-"))
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
        os.environ["LINLI_VAR_DIR"] = str(work)
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("SECRET_KEY", "linli-bench-only")
        os.environ.setdefault("LINLI_DATA_KEY", base64.b64encode(os.urandom(32)).decode())
        os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import override_settings
        from django.utils import timezone

        from linli.accounts.demo import ensure_demo_accounts
        from linli.registry import demo
        from linli.renewal import demo as renewal_demo
        from linli.renewal.services.supervision import run_supervision_check

        call_command("migrate", verbosity=0)
        demo.build()
        hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        with override_settings(PASSWORD_HASHERS=hashers):
            ensure_demo_accounts(password="linli-bench-bulletin-4103")
        renewal_demo.build()
        run_supervision_check()
        today = timezone.localdate()
        month = f"{today.year}-{today.month:02d}"
        _measure("demo", month)
        started = time.perf_counter()
        _enlarge(SCALE - 1)
        print(f"(synthetic district built in {time.perf_counter() - started:.1f} s)", flush=True)
        _measure(f"{SCALE}x", month)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
