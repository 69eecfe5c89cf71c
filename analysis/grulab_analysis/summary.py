"""One row per run of an experiment: what the report's table shows."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import xarray as xr


def points(dataset: xr.Dataset):
    """Every combination of the sweep dimensions of an index Dataset (one empty combination for
    a single run's Dataset), as ``(selection, run Dataset)`` pairs, in sweep order."""
    dims = list(dataset.attrs.get("sweep_dims", []))
    for values in itertools.product(*(dataset[d].values.tolist() for d in dims)):
        selection = dict(zip(dims, values))
        yield selection, dataset.sel(selection) if selection else dataset


def last_valid(series: xr.DataArray) -> float:
    """The last non-NaN value of a 1-D series, NaN when there is none."""
    values = np.asarray(series.values, dtype=float)
    valid = values[~np.isnan(values)]
    return float(valid[-1]) if valid.size else np.nan


def first_valid(series: xr.DataArray) -> float:
    values = np.asarray(series.values, dtype=float)
    valid = values[~np.isnan(values)]
    return float(valid[0]) if valid.size else np.nan


def summary_table(dataset: xr.Dataset, layer: int = 0) -> pd.DataFrame:
    """One row per run of an index Dataset (:func:`load_index`), in sweep order.

    Columns: ``run``, ``status``, one per swept dimension, ``train_loss`` (last logged),
    ``eval_loss`` and ``eval_accuracy`` (last evaluation, after the last update),
    ``baseline_metric``, ``baseline``, ``eval_vs_baseline`` (``eval_loss / baseline``: below 1
    the model beats the trivial predictor), ``decay_rate_init`` and ``decay_rate_trained``
    (first and last logged decay rate of ln ||dL/dh_t|| in ``layer``, per step back in time).
    Runs missing from the grid (not in the index) are left out.
    """
    rows = []
    for selection, run in points(dataset):
        name = run["run"].item() if "run" in run else dataset.attrs.get("run")
        if not isinstance(name, str):
            continue
        row = {"run": name, "status": run["status"].item() if "status" in run else run.attrs.get("status")}
        row.update(selection)
        row["train_loss"] = last_valid(run["train_loss"])
        row["eval_loss"] = last_valid(run["eval_loss"])
        row["eval_accuracy"] = last_valid(run["eval_accuracy"]) if "eval_accuracy" in run else np.nan
        metric = run["baseline_metric"].item() if "baseline_metric" in run else run.attrs.get("baseline_metric", "")
        baseline = float(run["baseline"]) if "baseline" in run else float(run.attrs.get("baseline", np.nan))
        row["baseline_metric"], row["baseline"] = metric, baseline
        row["eval_vs_baseline"] = row["eval_loss"] / baseline if baseline else np.nan
        if "decay_rate" in run:
            rates = run["decay_rate"].sel(layer=layer)
            row["decay_rate_init"], row["decay_rate_trained"] = first_valid(rates), last_valid(rates)
        else:
            row["decay_rate_init"] = row["decay_rate_trained"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows)
