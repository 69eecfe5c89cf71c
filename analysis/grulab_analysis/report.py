"""The report of an experiment: the standard figures as PNG files and ``report.md``, a page with
a table of the runs and the figures. ``grulab report DIR [--out DIR]`` runs this module:

    python3 -m grulab_analysis.report results/vanishing-gradients [--out DIR]

``DIR`` is an experiment's directory (holding ``index.h5``) or the index itself; the report goes
to ``DIR/report`` unless ``--out`` says otherwise. Exit status 0, or 2 with one message on
standard error when the results cannot be read.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import matplotlib.pyplot as plt

from .errors import ResultsError
from .figures import (plot_gate_saturation, plot_gradient_flow, plot_gradient_heatmaps,
                      plot_length_dependence, plot_loss_curves)
from .results import index_runs, load_index, open_run_file
from .summary import summary_table

#: File name, figure function and caption, in the page's order.
FIGURES = [
    ("gradient-flow.png", plot_gradient_flow,
     "||dL/dh_t|| against t at initialisation, one line per cell (log axis)."),
    ("gradient-heatmaps.png", plot_gradient_heatmaps,
     "log10 ||dL/dh_t|| over training step (vertical) and t (horizontal), one panel per run; "
     "white where it vanished to exactly 0 in float32."),
    ("loss.png", plot_loss_curves,
     "Training loss (thin) and evaluation loss (dots) against the task's baseline (dashed)."),
    ("length.png", plot_length_dependence,
     "Decay rate of ln ||dL/dh_t|| per step back in time, and final evaluation loss, against sequence length."),
    ("gate-saturation.png", plot_gate_saturation,
     "Fraction of saturated update-gate activations over training, for cells with an update gate."),
]


def _number(value) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.4g}"


def _markdown_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def unindexed_runs(directory: Path, index_path: Path) -> list[tuple[str, str]]:
    """Run files in ``directory`` that the index does not link (running, killed, or never
    registered), with their status."""
    linked = {Path(run["path"]).resolve() for run in index_runs(index_path)} if index_path.exists() else set()
    found = []
    for path in sorted(directory.glob("*.h5")):
        if path.name == "index.h5" or path.resolve() in linked:
            continue
        try:
            with open_run_file(path) as f:
                found.append((path.stem, str(f.attrs.get("status", "?"))))
        except ResultsError:
            found.append((path.stem, "unreadable"))
    return found


def write_report(directory, out=None) -> tuple[Path, list[str]]:
    """Writes the figures, ``report.md`` and ``runs.csv`` (the table) for the experiment in
    ``directory``; returns the page's path and the figures' file names."""
    directory = Path(directory)
    index_path = directory if directory.suffix == ".h5" else directory / "index.h5"
    directory = index_path.parent
    if not index_path.exists():
        raise ResultsError(f"{index_path}: no such index; expected an experiment directory written by grulab run")
    out = Path(out) if out else directory / "report"
    out.mkdir(parents=True, exist_ok=True)
    dataset = load_index(index_path)
    table = summary_table(dataset)
    dims = dataset.attrs["sweep_dims"]
    header = ["run", *dims, "status", "train loss", "eval loss", "accuracy", "baseline",
              "eval / baseline", "decay rate: init", "trained"]
    rows = [[row["run"], *[row[d] for d in dims], row["status"], _number(row["train_loss"]),
             _number(row["eval_loss"]), _number(row["eval_accuracy"]),
             f"{row['baseline_metric']} {_number(row['baseline'])}".strip(), _number(row["eval_vs_baseline"]),
             _number(row["decay_rate_init"]), _number(row["decay_rate_trained"])]
            for row in table.to_dict("records")]
    sections = [f"# {dataset.attrs['experiment']}", "",
                f"{len(table)} runs from `{index_path}`, swept over "
                + (", ".join(f"`{k}`" for k in dataset.attrs["sweep_keys"]) or "nothing") + ".", "",
                "Decay rate: the least-squares slope of ln ||dL/dh_t|| per step back in time (the gradient "
                "falls by exp(-rate) per step), at the first gradient record (initialisation) and the last.",
                "", _markdown_table(header, rows), ""]
    missing = unindexed_runs(directory, index_path)
    if missing:
        sections += ["Run files not in the index (still running, killed, or failed to start): "
                     + ", ".join(f"`{name}` ({status})" for name, status in missing) + ".", ""]
    written = []
    for name, draw, caption in FIGURES:
        figure = draw(dataset)
        if figure is None:
            continue
        figure.savefig(out / name, dpi=110)
        plt.close(figure)
        written.append(name)
        sections += [f"## {caption}", "", f"![{caption}]({name})", ""]
    page = out / "report.md"
    page.write_text("\n".join(sections))
    table.to_csv(out / "runs.csv", index=False)
    return page, written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m grulab_analysis.report",
                                     description="Figures and a summary page of a GRULab experiment.")
    parser.add_argument("directory", help="the experiment's directory (with index.h5), or the index")
    parser.add_argument("--out", help="where to write (default: DIRECTORY/report)")
    arguments = parser.parse_args(argv)
    try:
        page, figures = write_report(arguments.directory, arguments.out)
    except ResultsError as error:
        print(f"grulab: {error}", file=sys.stderr)
        return 2
    print(f"report: {page}")
    print(f"figures: {', '.join(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
