"""Results of one invocation, and their markdown, JSON and PNG forms."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class Section:
    """One table: a title, column names, formatted rows, the raw numbers behind them, and notes."""

    def __init__(self, id: str, title: str, columns: list[str]) -> None:
        self.id = id
        self.title = title
        self.columns = columns
        self.rows: list[list[Any]] = []
        self.data: list[dict[str, Any]] = []
        self.notes: list[str] = []

    def add(self, row: list[Any], key: dict[str, Any]) -> None:
        self.rows.append(row)
        self.data.append(key)


class Results:
    """Everything one invocation measured (every row comes from this one run)."""

    def __init__(self, mode: str, machine: dict[str, Any]) -> None:
        self.mode = mode
        self.machine = machine
        self.started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.sections: dict[str, Section] = {}
        self.targets: list[dict[str, Any]] = []
        self.seconds = 0.0

    def section(self, id: str, title: str, columns: list[str]) -> Section:
        """The section ``id``, created on first use."""
        if id not in self.sections:
            self.sections[id] = Section(id, title, columns)
        return self.sections[id]

    def target(self, name: str, met: bool | None, measured: str) -> None:
        """Record a target: met (True), missed (False) or not measured (None)."""
        self.targets.append({"target": name, "met": met, "measured": measured})

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "started": self.started,
            "seconds": round(self.seconds, 1),
            "machine": self.machine,
            "targets": self.targets,
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "columns": s.columns,
                    "rows": s.rows,
                    "data": s.data,
                    "notes": s.notes,
                }
                for s in self.sections.values()
            ],
        }


def machine() -> dict[str, Any]:
    """The machine and software the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
    }
    for module in ("aiohttp", "httpx", "botpress_async"):
        try:
            info[module] = __import__(module).__version__
        except (ImportError, AttributeError):
            info[module] = None
    try:
        from botpress_async import _json

        # Whether botpress_async decodes with orjson (the optional ``speed`` extra) in this run.
        info["botpress_async JSON"] = "orjson" if _json.ORJSON else "json (stdlib)"
    except ImportError:
        pass
    if shutil.which("node"):
        info["node"] = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    info["commit"] = commit or None
    return info


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def markdown(results: Results) -> str:
    """The report as markdown: header with the machine, targets, then one table per section."""
    m = results.machine
    software = ", ".join(
        f"{k} {m[k]}"
        for k in ("aiohttp", "httpx", "botpress_async", "botpress_async JSON", "node", "official_client")
        if m.get(k)
    )
    lines = [
        f"## Benchmark results ({results.mode} run, {results.started})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['implementation']} {m['python']}, {m['os']}. "
        f"Software: {software}. Commit {m.get('commit') or 'unknown'}. "
        f"Every row below comes from this one invocation ({results.seconds:.0f} s); servers and clients run "
        "in "
        "separate processes on loopback; figures are medians over repeats, ratios are taken per repeat "
        "against raw aiohttp and then the median.",
        "",
    ]
    if results.targets:
        lines += ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
        for t in results.targets:
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            lines.append(f"| {_fmt(t['target'])} | {_fmt(t['measured'])} | {met} |")
        lines.append("")
    for s in results.sections.values():
        lines += [f"### {s.title}", ""]
        if s.rows:
            lines.append("| " + " | ".join(s.columns) + " |")
            lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(s.columns))) + "|")
            lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in s.rows]
            lines.append("")
        for note in s.notes:
            lines.append(f"- {note}")
        if s.notes:
            lines.append("")
    return "\n".join(lines)


def write(results: Results, out_dir: Path, chart: bool = True) -> None:
    """Write ``latest.md``, ``latest.json`` and (with matplotlib) ``latest.png`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.md").write_text(markdown(results) + "\n")
    (out_dir / "latest.json").write_text(json.dumps(results.to_json(), indent=1) + "\n")
    if chart:
        try:
            _chart(results, out_dir / "latest.png")
        except ImportError:
            print("  matplotlib is not installed: no chart", file=sys.stderr)


def _chart(results: Results, path: Path) -> None:
    section = results.sections.get("client")
    if section is None or not section.data:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    ops = list(dict.fromkeys(d["op"] for d in section.data))
    clients = list(dict.fromkeys(d["client"] for d in section.data))
    concs = sorted({d["concurrency"] for d in section.data})
    by = {(d["op"], d["concurrency"], d["client"]): d for d in section.data}
    fig, axes = plt.subplots(1, len(concs), figsize=(6 * len(concs), 4), squeeze=False)
    width = 0.8 / max(len(clients), 1)
    for ax, conc in zip(axes[0], concs, strict=True):
        for i, client in enumerate(clients):
            values = [by[(op, conc, client)]["cpu_x_raw"] if (op, conc, client) in by else 0 for op in ops]
            ax.bar([k + i * width for k in range(len(ops))], values, width, label=client)
        ax.axhline(1.25, color="grey", linestyle="--", linewidth=1)
        ax.set_xticks([k + width * (len(clients) - 1) / 2 for k in range(len(ops))], ops)
        ax.set_ylabel("client CPU per request, × raw aiohttp")
        ax.set_title(f"concurrency {conc}")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}×" if v in (0.5, 2, 3, 5) else ""))
    axes[0][0].legend(fontsize=8)
    fig.suptitle(
        f"Client CPU cost ({results.mode} run, {results.machine['cpu']}, {results.machine['cores']} cores)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
