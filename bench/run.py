"""Run every ``bench_*.py`` in this folder, each in its own process (``make bench``).

Benchmarks print their own result lines; this runner only reports which ones failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run the benchmarks one after the other; non-zero exit if any failed."""
    here = Path(__file__).resolve().parent
    failed: list[str] = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"=== {script.name} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
