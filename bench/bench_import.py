"""Benchmark: import a registry workbook with 100,000 dwellings into a fresh SQLite database.

Generates the workbook (250 compounds x 8 buildings x 5 stairwells x 10 dwellings, one owner
per dwelling) in a temporary folder, times reading it with openpyxl (read-only mode) and with
python-calamine, then times a full import (read, check, diff, write) into a freshly migrated
SQLite database, and prints the import time against the fastest plain read:

    import_100k_dwellings: X.XX s; baseline (calamine read): Y.YY s; ratio: Z.Zx

Run with ``make bench`` or ``python bench/bench_import.py [--keep]``. Not a test.
"""

from __future__ import annotations

import base64
import datetime
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

COMPOUNDS = 250
BUILDINGS_PER_COMPOUND = 8
STAIRWELLS_PER_BUILDING = 5
FLOORS = 5
DWELLINGS_PER_FLOOR = 2
DWELLINGS = (
    COMPOUNDS * BUILDINGS_PER_COMPOUND * STAIRWELLS_PER_BUILDING * FLOORS * DWELLINGS_PER_FLOOR
)


def _configure(work: Path) -> None:
    """Point Django at a fresh SQLite file in ``work`` and migrate it."""
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["LINLI_VAR_DIR"] = str(work)
    os.environ["LOG_LEVEL"] = "WARNING"
    # As deployed: DEBUG off, so Django does not keep a log of every query.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "linli-bench-only")
    # Production settings demand an explicit personal-data key; a throwaway one for the run.
    os.environ.setdefault("LINLI_DATA_KEY", base64.b64encode(os.urandom(32)).decode())
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed_divisions() -> list[str]:
    """The district, one sub-district, ten communities and 30 zones; community codes."""
    from linli.registry.models import Community, District, Subdistrict, Zone

    district = District.objects.create(code="410303", name="西工区")
    subdistrict = Subdistrict.objects.create(district=district, code="410303001", name="王城路街道")
    codes = [f"410303001{n:03d}" for n in range(1, 11)]
    for n, code in enumerate(codes, start=1):
        Community.objects.create(subdistrict=subdistrict, code=code, name=f"社区{n}")
    for n in range(1, 31):
        Zone.objects.create(district=district, code=f"Z{n:02d}", name=f"第{n}片区")
    return codes


def _generate(path: Path, communities: list[str]) -> None:
    """Write the benchmark workbook with openpyxl's write-only mode."""
    from openpyxl import Workbook

    from linli.core.ids import resident_id_check_char
    from linli.registry.workbook import SHEETS

    book = Workbook(write_only=True)
    sheets = {s.name: book.create_sheet(s.name) for s in SHEETS}
    for sheet in SHEETS:
        sheets[sheet.name].append(sheet.headers)
    born = datetime.date(1940, 1, 1)
    person = 0
    for c in range(COMPOUNDS):
        code = f"B{c + 1:04d}"
        sheets["小区"].append(
            [
                code,
                f"测试路{c + 1}号院",
                communities[c % len(communities)],
                f"Z{c % 30 + 1:02d}",
                f"西工区测试路{c + 1}号",
                1975 + c % 25,
                "居民自管",
                "否",
                12000.5,
                "已纳入计划",
                None,
                112.40 + c * 0.0001,
                34.66 + c * 0.0001,
                "GCJ-02",
            ]
        )
        for b in range(1, BUILDINGS_PER_COMPOUND + 1):
            sheets["楼栋"].append([code, str(b), FLOORS, "否", "砖混", 1975 + c % 25])
            for s in range(1, STAIRWELLS_PER_BUILDING + 1):
                sheets["单元"].append([code, str(b), str(s)])
                for floor in range(1, FLOORS + 1):
                    for d in range(1, DWELLINGS_PER_FLOOR + 1):
                        number = f"{floor}0{d}"
                        sheets["房屋"].append(
                            [code, str(b), str(s), number, floor, 60 + d * 12.25, "已售"]
                        )
                        day = born + datetime.timedelta(days=person // 100)
                        first17 = f"410303{day:%Y%m%d}{person % 100:02d}{person % 10}"
                        person += 1
                        sheets["业主"].append(
                            [
                                code,
                                str(b),
                                str(s),
                                number,
                                "自然人",
                                f"业主{person}",
                                first17 + resident_id_check_char(first17),
                                f"1540000{person % 10000:04d}",
                                None,
                            ]
                        )
    book.save(path)


def _read_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    book.close()
    return cells


def _read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in book.sheet_names:
        cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    book.close()
    return cells


def _best_of(runs: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    """Generate, read, import; print the timings."""
    keep = "--keep" in sys.argv[1:]
    work = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    try:
        _configure(work)
        communities = _seed_divisions()
        path = work / "registry-100k.xlsx"
        start = time.perf_counter()
        _generate(path, communities)
        print(
            f"generated {DWELLINGS:,} dwellings in {time.perf_counter() - start:.2f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)"
        )
        openpyxl_s = _best_of(1, lambda: _read_openpyxl(path))
        calamine_s = _best_of(3, lambda: _read_calamine(path))
        readers = {"openpyxl read_only": openpyxl_s, "calamine": calamine_s}
        for name, seconds in readers.items():
            print(f"read ({name}): {seconds:.2f} s")
        fastest = min(readers, key=readers.__getitem__)

        from linli.registry.models import Dwelling, Ownership
        from linli.registry.services import import_registry_workbook

        start = time.perf_counter()
        result = import_registry_workbook(path=path, dry_run=False)
        import_s = time.perf_counter() - start
        if not result.applied:
            for error in result.errors[:20]:
                print(error.format(), file=sys.stderr)
            return 1
        assert Dwelling.objects.count() == DWELLINGS, "every dwelling row was imported"
        assert Ownership.objects.count() == DWELLINGS, "every owner row was imported"
        start = time.perf_counter()
        again = import_registry_workbook(path=path, dry_run=True)
        reimport_s = time.perf_counter() - start
        assert again.summary["房屋"].unchanged == DWELLINGS, "a re-import changes nothing"
        print(f"re-import dry run (all {DWELLINGS:,} unchanged): {reimport_s:.2f} s")
        print(
            f"import_100k_dwellings: {import_s:.2f} s; "
            f"baseline ({fastest.split()[0]} read): {readers[fastest]:.2f} s; "
            f"ratio: {import_s / readers[fastest]:.1f}x"
        )
        return 0
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
