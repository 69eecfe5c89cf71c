"""Run files and experiment indexes (docs/results-schema.md) as xarray Datasets.

A run file keeps each group of series on its own ``step`` scale; in one Dataset those become
four dimensions: ``step`` (``/metrics``), ``eval_step`` (``/eval``), ``grad_step``
(``/gradients``) and ``gate_step`` (``/gates``), beside ``layer`` (layers x directions),
``t`` (time step of the sequence) and ``parameter``.
"""

from __future__ import annotations

import ctypes
import functools
import os
from pathlib import Path

import h5py
import numpy as np
import xarray as xr
import yaml

from .errors import ResultsError

#: Group of the file -> (dimension of its step scale in the Dataset, variable prefix).
GROUPS = {"metrics": ("step", ""), "eval": ("eval_step", "eval_"),
          "gradients": ("grad_step", ""), "gates": ("gate_step", "gate_")}


#: How often a SWMR reader re-reads metadata whose checksum fails, in case the writer was half-way
#: through it, sleeping twice as long each time. HDF5's default of 100 sleeps 2^100 ns on a
#: damaged file, a hang; 25 give up after about 34 ms, as GRULab's own reader does
#: (docs/reliability.md).
SWMR_READ_ATTEMPTS = 25


@functools.cache
def _set_metadata_read_attempts():
    """HDF5's ``H5Pset_metadata_read_attempts``, which h5py does not wrap, from the HDF5 library
    h5py is linked with, found in this process's memory map (Linux; ``None`` elsewhere). A wheel's
    own copy, in ``h5py.libs/``, comes first when another program's libhdf5 is loaded too."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/libhdf5" in line and "_hl" not in line}
    except OSError:
        return None
    wheel_libraries = os.path.dirname(h5py.__file__) + ".libs"
    for library in sorted(paths, key=lambda path: (not path.startswith(wheel_libraries), path)):
        function = getattr(ctypes.CDLL(library), "H5Pset_metadata_read_attempts", None)
        if function is not None:
            function.argtypes = [ctypes.c_int64, ctypes.c_uint]
            return function
    return None


def open_run_file(path) -> h5py.File:
    """Opens a run file in SWMR-read mode, which reads finished, running and killed runs alike.
    A damaged file fails at once, with its root attributes read here, and as a ResultsError
    naming it."""
    try:
        fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
        set_attempts = _set_metadata_read_attempts()
        if set_attempts is not None:
            set_attempts(fapl.id, SWMR_READ_ATTEMPTS)
        f = h5py.File(h5py.h5f.open(os.fsencode(str(path)), h5py.h5f.ACC_RDONLY | h5py.h5f.ACC_SWMR_READ, fapl=fapl))
    except (OSError, FileNotFoundError, RuntimeError) as error:
        raise ResultsError(f"{path}: cannot open the run file: {error}") from error
    try:
        dict(f.attrs)
    except (OSError, RuntimeError, KeyError) as error:
        f.close()
        raise ResultsError(f"{path}: cannot read the run file (damaged?): {error}") from error
    return f


def _series(group: h5py.Group, name: str, steps: int) -> np.ndarray:
    # Rows are written and flushed before their steps: a file being written, or killed in a flush,
    # can hold more rows than steps.
    # Fewer is a damaged file, as for GRULab's RunReader.
    dataset = group[name]
    if isinstance(dataset, h5py.Dataset):
        dataset.refresh()
    if dataset.shape[0] < steps:
        raise ResultsError(f"{group.file.filename}: it is corrupted: {dataset.name} has {dataset.shape[0]} rows "
                           f"for {steps} steps")
    return dataset[:steps]


def _flatten(mapping: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _attribute(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def run_spec(path) -> dict:
    """The resolved run specification of a run file (root attribute ``experiment_yaml``), flat:
    ``{"model.cell": "gru", "task.seq_len": 100, ...}``."""
    with open_run_file(path) as f:
        return _flatten(yaml.safe_load(f.attrs["experiment_yaml"]) or {})


def load_run(path) -> xr.Dataset:
    """One run file as a Dataset.

    Variables (present when the file has them):

    ==========================  ===============================  =================================
    variable                    dimensions                       from
    ==========================  ===============================  =================================
    ``train_loss``,             ``step``                         ``/metrics/...``
    ``grad_norm``,
    ``learning_rate``,
    ``wall_time``
    ``eval_loss``,              ``eval_step``                    ``/eval/loss``, ``/eval/accuracy``
    ``eval_accuracy``
    ``dL_dh_norm``              ``grad_step, layer, t``          ``/gradients/dL_dh_norm``
    ``decay_rate``              ``grad_step, layer``             ``/gradients/decay_rate``
    ``param_grad_norm``         ``grad_step, parameter``         ``/gradients/param_grad_norm/*``
    ``gate_update_mean``,       ``gate_step, layer``             ``/gates/...``
    ``gate_update_saturated``
    ==========================  ===============================  =================================

    Attributes: the file's root attributes (``status``, ``seed``, ``git_commit``, ``baseline``,
    ``baseline_metric``, ...), ``run`` (the run's name), ``path``, and every key of the resolved
    specification, dotted (``model.cell``, ``task.seq_len``, ``train.lr``, ...).

    A file being written is read up to its last flushed step; a killed run reads like a
    finished one whose ``status`` is still ``running``.
    """
    path = Path(path)
    try:
        return _load_run(path)
    except (OSError, RuntimeError, KeyError, ValueError) as error:
        raise ResultsError(f"{path}: cannot read the run file (damaged?): {error}") from error


def _load_run(path: Path) -> xr.Dataset:
    variables, coords = {}, {}
    with open_run_file(path) as f:
        attrs = {key: _attribute(value) for key, value in f.attrs.items()}
        spec = _flatten(yaml.safe_load(attrs.get("experiment_yaml", "")) or {})
        for group_name, (dim, prefix) in GROUPS.items():
            if group_name not in f:
                continue
            group = f[group_name]
            group["step"].refresh()
            steps = group["step"][:]
            coords[dim] = steps
            for name, item in group.items():
                if name in ("step", "layer", "t") or not isinstance(item, h5py.Dataset):
                    continue
                values = _series(group, name, len(steps))
                dims = (dim,) + {1: (), 2: ("layer",), 3: ("layer", "t")}[values.ndim]
                variables[prefix + name] = (dims, values)
            if "param_grad_norm" in group:
                norms = group["param_grad_norm"]
                names = list(norms)
                coords["parameter"] = names
                variables["param_grad_norm"] = (
                    (dim, "parameter"),
                    np.stack([_series(norms, n, len(steps)) for n in names], axis=1)
                    if names else np.zeros((len(steps), 0)))
            for scale in ("layer", "t"):
                if scale in group:
                    coords[scale] = group[scale][:]
    dataset = xr.Dataset(variables, coords=coords)
    dataset.attrs.update({k: v for k, v in attrs.items()})
    dataset.attrs.update(spec)
    dataset.attrs["run"] = spec.get("run", path.stem)
    dataset.attrs["path"] = str(path)
    return dataset


def _parse_value(text):
    """A varied value as the index stores it (a string) back to a number where it is one."""
    if not isinstance(text, str):
        return text
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def index_runs(index_path) -> list[dict]:
    """The runs an index links, in run-index order: ``{"name", "path", "run_index", "varied"}``
    where ``varied`` maps each swept key (``model.cell``) to its value, parsed as a number when
    it is one.

    The index stores varied values as strings and the run's own seed as an integer, so the
    swept keys are exactly the string attributes (``seed`` among them when seeds are swept).
    """
    index_path = Path(index_path)
    try:
        index = h5py.File(index_path, "r")
    except (OSError, FileNotFoundError) as error:
        raise ResultsError(f"{index_path}: cannot open the experiment index: {error}") from error
    runs = []
    with index:
        if "runs" not in index:
            return []
        for name, group in index["runs"].items():
            link = group.get("run", getlink=True)
            if not isinstance(link, h5py.ExternalLink):
                raise ResultsError(f"{index_path}: /runs/{name}/run: expected an external link to the run's file")
            target = Path(link.filename)
            attrs = {k: _attribute(v) for k, v in group.attrs.items()}
            runs.append({
                "name": name,
                "path": target if target.is_absolute() else index_path.parent / target,
                "run_index": attrs.get("run_index", len(runs)),
                "varied": {k: _parse_value(v) for k, v in attrs.items() if isinstance(v, str)},
            })
    return sorted(runs, key=lambda run: run["run_index"])


def sweep_labels(keys) -> dict:
    """Dimension names for swept keys: the key's last component (``cell`` for ``model.cell``),
    or the whole path where two keys share a last component, as run names label them."""
    keys = list(keys)
    last = [key.split(".")[-1] for key in keys]
    return {key: (short if last.count(short) == 1 else key) for key, short in zip(keys, last)}


def _axis_order(runs: list[dict]) -> list[str]:
    """Swept keys from the slowest-varying to the fastest (the sweep's order): in run-index
    order, a slower axis changes value fewer times."""
    keys = list(runs[0]["varied"]) if runs else []
    def changes(key):
        values = [run["varied"].get(key) for run in runs]
        return sum(a != b for a, b in zip(values, values[1:]))
    return sorted(keys, key=lambda key: (changes(key), keys.index(key)))


def load_index(index_path) -> xr.Dataset:
    """An experiment's ``index.h5`` as one Dataset whose swept hyper-parameters are dimensions.

    Each linked run is loaded with :func:`load_run` and placed at its swept values: with
    ``sweep: {model.cell: [gru, lstm], task.seq_len: [50, 100]}`` the Dataset has dimensions
    ``cell`` and ``seq_len`` before each run's own (``train_loss`` is ``[cell, seq_len, step]``,
    ``dL_dh_norm`` is ``[cell, seq_len, grad_step, layer, t]``), coordinates in sweep order.
    Runs of different lengths are aligned on their coordinates and padded with NaN (a run at
    T = 50 has NaN at ``t >= 50``).

    Per-run variables over the sweep dimensions: ``run`` (name), ``status``, ``baseline`` and
    ``baseline_metric``. Attributes: ``experiment`` (its name), ``index`` (the path),
    ``sweep_dims`` (dimension names, slowest first) and ``sweep_keys`` (the keys they stand for).
    """
    runs = index_runs(index_path)
    if not runs:
        raise ResultsError(f"{index_path}: the index links no runs yet")
    keys = _axis_order(runs)
    labels = sweep_labels(keys)
    parts = []
    for run in runs:
        ds = load_run(run["path"])
        per_run = {"run": run["name"], "status": ds.attrs.get("status", ""),
                   "baseline": ds.attrs.get("baseline", np.nan),
                   "baseline_metric": ds.attrs.get("baseline_metric", "")}
        ds = ds.assign({name: ((), value) for name, value in per_run.items()})
        ds.attrs = {}
        parts.append(ds.expand_dims({labels[key]: [run["varied"][key]] for key in keys}))
    combined = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    for key in keys:
        order = list(dict.fromkeys(run["varied"][key] for run in runs))
        combined = combined.reindex({labels[key]: order})
    combined = combined.transpose(*[labels[k] for k in keys], ...)
    first = load_run(runs[0]["path"]).attrs
    combined.attrs.update({"experiment": first.get("name", Path(index_path).parent.name),
                           "index": str(index_path),
                           "sweep_dims": [labels[k] for k in keys], "sweep_keys": keys})
    return combined
