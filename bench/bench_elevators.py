"""Benchmark: the elevator cost-sharing engine and the Word documents of a large pool.

Two figures, each printed against a baseline measured in the same run:

* ``allocate`` (fen-exact shares with ``Fraction`` and the largest-remainder placement, floor
  coefficients, area weighting, compensation funded pro rata) against a naive split — each
  share ``Decimal`` total × weight / total weight, rounded half up, nothing checked, nothing
  adding up — over the same dwellings: what exactness costs.
* every household's bill (``bill_docx``) and the agreement (``agreement_docx``) of a pool of
  three stairwells × 18 storeys × 4 dwellings (216 households, the largest shared elevator the
  district plans) against python-docx alone writing the same number of pages, each with a
  table of the same size filled with fixed text: what reading the case, computing the shares
  and laying out the bill cost on top of the library.
"""

from __future__ import annotations

import base64
import io
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

RUNS = 3
CENT = Decimal("0.01")


def _best(fn: Callable[[], Any], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def _engine(size: int) -> None:
    from linli.elevators.allocation import HALF_STEP, DwellingInput, allocate

    rng = random.Random(size)
    storeys = 18
    dwellings = [
        DwellingInput(
            id=n + 1,
            floor=n % storeys + 1,
            area=Decimal(rng.randrange(4500, 14000)) / 100,
            stairwell=n // (storeys * 4),
        )
        for n in range(size)
    ]
    total = Decimal(size * 2500) + Decimal("0.37")
    ground = [d.id for d in dwellings if d.floor == 1][:4]
    compensation = {pk: Decimal("8000.00") for pk in ground}

    def exact() -> None:
        allocate(
            dwellings=dwellings,
            residents_total=total,
            coefficients=HALF_STEP,
            area_weighted=True,
            compensation=compensation,
        )

    def naive() -> None:
        weights = [(1 + Decimal("0.5") * (d.floor - 1)) * d.area for d in dwellings]
        whole = sum(weights)
        [(total * w / whole).quantize(CENT, ROUND_HALF_UP) for w in weights]

    runs = 1 if size > 5000 else RUNS
    base = _best(naive, runs)
    elapsed = _best(exact, runs)
    print(
        f"allocate_{size}: {elapsed * 1000:.1f} ms; baseline (naive Decimal split): "
        f"{base * 1000:.2f} ms; ratio: {elapsed / base:.1f}x",
        flush=True,
    )


def _pool() -> Any:
    """A draft case over 3 adjacent stairwells of an 18-storey building, 4 dwellings a floor."""
    from linli.elevators.allocation import HALF_STEP
    from linli.elevators.services.cases import create_case
    from linli.elevators.tests.factories import (
        SubsidyRuleFactory,
        community_worker,
        shared_stairwells,
    )

    stairwells = shared_stairwells(3, storeys=18, per_floor=4, area="88.50")
    worker = community_worker(stairwells[0].building.compound)
    ground = [d.pk for d in stairwells[0].dwellings.filter(floor=1)]
    return worker, create_case(
        by=worker,
        title="18层3单元共用电梯",
        stairwells=stairwells,
        costs={"equipment": "980000.00", "civil_works": "310000.00", "design": "42000.00"},
        subsidy_rule=SubsidyRuleFactory(),
        coefficients=HALF_STEP,
        compensation=[(pk, Decimal("12000.00")) for pk in ground],
        affected=ground,
    )


def _plain_docx(pages: int, rows: int, columns: int) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    for page in range(pages):
        document.add_heading("加装电梯费用分摊通知单", level=1)
        table = document.add_table(rows=rows, cols=columns)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "1号楼1单元101室"
        if page < pages - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _documents() -> None:
    from linli.elevators import documents

    worker, case = _pool()
    households = case.pool.count()
    bills = _best(lambda: documents.bill_docx(case, user=worker))
    agreement = _best(lambda: documents.agreement_docx(case, user=worker))
    # A bill page holds four tables of about 26 rows in all; the agreement one of the pool.
    base_bills = _best(lambda: _plain_docx(households, 26, 2))
    base_agreement = _best(lambda: _plain_docx(1, households + 2, 10))
    print(
        f"bills_docx_{households}: {bills:.2f} s; baseline (python-docx, same pages, fixed "
        f"text): {base_bills:.2f} s; ratio: {bills / base_bills:.1f}x",
        flush=True,
    )
    print(
        f"agreement_docx_{households}: {agreement:.2f} s; baseline (python-docx, one table of "
        f"the pool): {base_agreement:.2f} s; ratio: {agreement / base_agreement:.1f}x",
        flush=True,
    )


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="linli-bench-elevators-"))
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

        call_command("migrate", verbosity=0)
        for size in (24, 216, 10_000):
            _engine(size)
        _documents()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
