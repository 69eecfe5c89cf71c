"""The standard figures of a vanishing-gradient study, from an index Dataset (:func:`load_index`)
or a single run's (:func:`load_run`). Each function returns a matplotlib ``Figure`` (``None``
when the data it needs is absent) and draws with the Agg backend, so it works with no display.

Lines are one per value of the ``cell`` dimension (or the first swept dimension when the cell
is not swept); panels are one per value of ``seq_len`` (or the next swept dimension); any
further swept dimension (seeds, say) adds lines labelled with its value.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .summary import first_valid, last_valid, points  # noqa: E402


def _roles(dataset: xr.Dataset):
    """(line dimension, panel dimension, other dimensions) of an index Dataset."""
    dims = list(dataset.attrs.get("sweep_dims", []))
    line = "cell" if "cell" in dims else (dims[0] if dims else None)
    rest = [d for d in dims if d != line]
    panel = "seq_len" if "seq_len" in rest else (rest[0] if rest else None)
    return line, panel, [d for d in rest if d != panel]


def _values(dataset, dim):
    return dataset[dim].values.tolist() if dim else [None]


def _lines(dataset: xr.Dataset, panel_value):
    """The runs of one panel: ``(label, colour index, run Dataset)``, skipping grid points that
    hold no run."""
    line, panel, others = _roles(dataset)
    for colour, line_value in enumerate(_values(dataset, line)):
        for other_values in itertools.product(*(_values(dataset, d) for d in others)):
            selection = {d: v for d, v in zip([line, panel] + others, [line_value, panel_value, *other_values])
                         if d is not None}
            run = dataset.sel(selection) if selection else dataset
            if "run" in run and not isinstance(run["run"].item(), str):
                continue
            label = ", ".join([str(line_value)] * (line is not None)
                              + [f"{d}={v}" for d, v in zip(others, other_values)]) or run.attrs.get("run", "run")
            yield label, colour, run


def _panels(dataset: xr.Dataset, width=4.6, height=3.6, rows=1):
    _, panel, _ = _roles(dataset)
    values = _values(dataset, panel)
    figure, axes = plt.subplots(rows, len(values), figsize=(width * len(values), height * rows),
                                squeeze=False, constrained_layout=True)
    return figure, axes, panel, values


def _title(panel, value):
    return f"{panel} = {value}" if panel else ""


def _colour(index):
    return plt.get_cmap("tab10")(index % 10)


def plot_gradient_flow(dataset: xr.Dataset, step_index: int = 0, layer: int = 0):
    """||dL/dh_t|| against t on a log axis, one line per cell, at the ``step_index``-th
    gradient record (0: at initialisation, before any update). The loss is read at the last
    step, so a vanishing gradient is a line that falls from right to left."""
    if "dL_dh_norm" not in dataset:
        return None
    figure, axes, panel, values = _panels(dataset)
    for ax, value in zip(axes[0], values):
        for label, colour, run in _lines(dataset, value):
            norms = run["dL_dh_norm"].sel(layer=layer).isel(grad_step=step_index)
            norms = norms.where(norms > 0)
            ax.plot(norms["t"], norms, label=label, color=_colour(colour), linewidth=1.4)
        ax.set_yscale("log")
        ax.set_xlabel("t (time step; the loss is at the last)")
        ax.set_title(_title(panel, value))
        ax.grid(True, which="major", alpha=0.3)
    axes[0][0].set_ylabel("||dL/dh_t||")
    axes[0][-1].legend(fontsize=8, loc="best")
    step = dataset["grad_step"].values[step_index]
    figure.suptitle(f"Gradient flow at training step {step}" + (" (initialisation)" if step == 0 else "")
                    + f", layer {layer}")
    return figure


def plot_gradient_heatmaps(dataset: xr.Dataset, layer: int = 0):
    """log10 ||dL/dh_t|| over (training step, t), one panel per run (rows: cells, columns:
    sequence lengths), on one colour scale so that panels compare."""
    if "dL_dh_norm" not in dataset:
        return None
    line, panel, _ = _roles(dataset)
    runs = [[run for _, _, run in _lines(dataset, value)] for value in _values(dataset, panel)]
    rows = max(len(column) for column in runs)
    norms = dataset["dL_dh_norm"].sel(layer=layer)
    logs = np.log10(norms.where(norms > 0))
    low, high = np.nanpercentile(logs.values, [2, 99.5])
    figure, axes = plt.subplots(rows, len(runs), figsize=(3.6 * len(runs), 2.2 * rows + 0.8),
                                squeeze=False, constrained_layout=True, sharey=True)
    image = None
    for column, (value, column_runs) in enumerate(zip(_values(dataset, panel), runs)):
        for row in range(rows):
            ax = axes[row][column]
            if row >= len(column_runs):
                ax.axis("off")
                continue
            run = column_runs[row]
            norms = run["dL_dh_norm"].sel(layer=layer).dropna("t", how="all").dropna("grad_step", how="all")
            norms = np.log10(norms.where(norms > 0))
            image = ax.pcolormesh(norms["t"], norms["grad_step"], norms.values, shading="nearest",
                                  vmin=low, vmax=high, cmap="viridis")
            name = run["run"].item() if "run" in run else run.attrs.get("run", "")
            ax.set_title(name, fontsize=8)
            if row == rows - 1:
                ax.set_xlabel("t")
            if column == 0:
                ax.set_ylabel("training step")
    if image is not None:
        figure.colorbar(image, ax=axes, label="log10 ||dL/dh_t||", shrink=0.6)
    figure.suptitle(f"log10 ||dL/dh_t|| over training, layer {layer}")
    return figure


def plot_loss_curves(dataset: xr.Dataset):
    """Training loss (thin) and evaluation loss (markers) against training step, one colour per
    cell, with the task's baseline (the trivial predictor's loss) dashed."""
    figure, axes, panel, values = _panels(dataset)
    for ax, value in zip(axes[0], values):
        baselines = set()
        for label, colour, run in _lines(dataset, value):
            train = run["train_loss"].dropna("step")
            ax.plot(train["step"], train, color=_colour(colour), linewidth=0.7, alpha=0.45)
            if "eval_loss" in run:
                evaluation = run["eval_loss"].dropna("eval_step")
                ax.plot(evaluation["eval_step"], evaluation, "o-", color=_colour(colour), markersize=3,
                        linewidth=1.4, label=label)
            baseline = float(run["baseline"]) if "baseline" in run else float(run.attrs.get("baseline", np.nan))
            if np.isfinite(baseline):
                baselines.add(baseline)
        for baseline in sorted(baselines):
            ax.axhline(baseline, color="black", linestyle="--", linewidth=1,
                       label=f"baseline {baseline:.4g}")
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_title(_title(panel, value))
        ax.grid(True, which="major", alpha=0.3)
    axes[0][0].set_ylabel("loss (thin: training batch; dots: evaluation)")
    axes[0][-1].legend(fontsize=8, loc="best")
    figure.suptitle("Loss against the task's baseline")
    return figure


def plot_length_dependence(dataset: xr.Dataset, length: str = "seq_len", layer: int = 0):
    """Against sequence length, per cell: the decay rate of ln ||dL/dh_t|| per step back in
    time at initialisation (dashed) and after training (solid), and the final evaluation loss
    with the baseline. ``None`` unless ``length`` is a swept dimension."""
    if length not in dataset.attrs.get("sweep_dims", []):
        return None
    figure, (rates_ax, loss_ax) = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    lengths = dataset[length].values
    line, _, _ = _roles(dataset)
    line = None if line == length else line
    for colour, line_value in enumerate(_values(dataset, line)):
        initial, trained, final = [], [], []
        for value in lengths:
            selection = {length: value} | ({line: line_value} if line else {})
            run = dataset.sel(selection)
            rates = run["decay_rate"].sel(layer=layer) if "decay_rate" in run else None
            while rates is not None and rates.ndim > 1:
                rates = rates.median(rates.dims[0])
            initial.append(first_valid(rates) if rates is not None else np.nan)
            trained.append(last_valid(rates) if rates is not None else np.nan)
            evaluation = run["eval_loss"]
            while evaluation.ndim > 1:
                evaluation = evaluation.median(evaluation.dims[0])
            final.append(last_valid(evaluation))
        label = str(line_value) if line_value is not None else "run"
        rates_ax.plot(lengths, initial, "o--", color=_colour(colour), markersize=4, linewidth=1)
        rates_ax.plot(lengths, trained, "o-", color=_colour(colour), markersize=4, label=label)
        loss_ax.plot(lengths, final, "o-", color=_colour(colour), markersize=4, label=label)
    baseline = dataset["baseline"]
    while baseline.ndim > 1:
        baseline = baseline.max([d for d in baseline.dims if d != length][0])
    if baseline.ndim == 1 and np.isfinite(baseline.values).any():
        loss_ax.plot(lengths, baseline.values, "k--", linewidth=1, label="baseline")
    rates_ax.set_xlabel(f"sequence length ({length})")
    rates_ax.set_ylabel("decay rate of ln ||dL/dh_t|| per step")
    rates_ax.set_title("Decay rate (dashed: initialisation; solid: trained)")
    rates_ax.grid(True, alpha=0.3)
    loss_ax.set_xlabel(f"sequence length ({length})")
    loss_ax.set_ylabel("final evaluation loss")
    loss_ax.set_yscale("log")
    loss_ax.set_title("Final evaluation loss")
    loss_ax.grid(True, which="major", alpha=0.3)
    loss_ax.legend(fontsize=8, loc="best")
    return figure


def plot_gate_saturation(dataset: xr.Dataset, layer: int = 0):
    """The fraction of saturated update-gate activations (``/gates/update_saturated``) over
    training, one line per gated cell; cells without an update gate are left out. ``None``
    when no run has gate statistics."""
    if "gate_update_saturated" not in dataset or not np.isfinite(dataset["gate_update_saturated"].values).any():
        return None
    figure, axes, panel, values = _panels(dataset)
    for ax, value in zip(axes[0], values):
        for label, colour, run in _lines(dataset, value):
            saturated = run["gate_update_saturated"].sel(layer=layer).dropna("gate_step")
            if saturated.size:
                ax.plot(saturated["gate_step"], saturated, "o-", color=_colour(colour), markersize=3, label=label)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("training step")
        ax.set_title(_title(panel, value))
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("saturated fraction of update gate")
    axes[0][-1].legend(fontsize=8, loc="best")
    figure.suptitle(f"Update-gate saturation over training, layer {layer}")
    return figure
