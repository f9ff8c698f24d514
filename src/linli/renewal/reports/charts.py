"""Charts of the Word reports: PNG bar charts drawn with matplotlib (Agg, no display) in the
Noto Sans CJK font from the system package fonts-noto-cjk, so Chinese labels never come out
as boxes. Without the font, rendering fails with a message saying what to install."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

__all__ = ["FontMissing", "bar_chart_png", "cjk_font_path"]

KNOWN_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)


class FontMissing(RuntimeError):
    """The CJK font the charts need is not installed."""


@functools.cache
def cjk_font_path() -> Path:
    """The Noto Sans CJK file: ``LINLI_CJK_FONT`` (setting), else fontconfig's match, else
    the packages' known paths."""
    configured = getattr(settings, "LINLI_CJK_FONT", "")
    candidates = [configured] if configured else []
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.strip()
        if "CJK" in found:  # fontconfig answers with a fallback font when it has none
            candidates.append(found)
    candidates += KNOWN_PATHS
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "找不到 Noto Sans CJK 字体,无法绘制图表;请安装 fonts-noto-cjk "
        "(Noto Sans CJK font not found: install the fonts-noto-cjk package)"
    )


def _number(value: Any) -> float:
    # Plotting only: the figures themselves stay Decimal strings.
    return float(Decimal(value)) if value is not None else 0.0


def bar_chart_png(spec: dict[str, Any]) -> bytes:
    """A bar chart (one bar group per label, one colour per series) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font = font_manager.FontProperties(fname=str(cjk_font_path()))
    labels = [str(label) for label in spec["labels"]]
    series = spec["series"]
    figure = Figure(figsize=(7.0, 3.6), dpi=110)
    axes = figure.add_subplot()
    width = 0.8 / max(1, len(series))
    for n, s in enumerate(series):
        xs = [i + n * width for i in range(len(labels))]
        values = [_number(v) for v in s["values"]]
        bars = axes.bar(xs, values, width=width, label=s["name"])
        axes.bar_label(bars, labels=[f"{v:g}" for v in values], fontsize=8)
    axes.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))])
    axes.set_xticklabels(labels, fontproperties=font, rotation=30 if len(labels) > 6 else 0)
    axes.set_title(spec["title"], fontproperties=font)
    if spec.get("unit"):
        axes.set_ylabel(spec["unit"], fontproperties=font)
    if len(series) > 1:
        axes.legend(prop=font)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
