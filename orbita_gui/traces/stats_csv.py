"""Statistics after every operation of a trace, as CSV for a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .recording import STAT_COLUMNS
from .trace import Trace


def write_stats_csv(path: str | Path, trace: Trace, series: dict[str, np.ndarray]) -> None:
    """One row per operation: its number, what it was, then each statistic after it."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["operation", "line", "kind", "name", "size", *STAT_COLUMNS])
        columns = [series[name] for name in STAT_COLUMNS]
        for index, op in enumerate(trace.ops):
            figures = [
                f"{column[index]:.4f}" if name == "external_fragmentation" else int(column[index])
                for name, column in zip(STAT_COLUMNS, columns, strict=True)
            ]
            writer.writerow([index + 1, op.line, op.kind, op.name or "null", op.size, *figures])
