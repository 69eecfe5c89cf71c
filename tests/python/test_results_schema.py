"""The results schema (docs/results-schema.md) as Python sees it: a run file written by the Swift
writer (Tests/HDF5WriterProbe), read with h5py and xarray and no GRULab code.

The probe is found through GRULAB_HDF5_PROBE, or built with `swift build` from the repository.
"""

import signal
import subprocess

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import built_product

STEPS = 30


@pytest.fixture(scope="session")
def probe():
    return built_product("HDF5WriterProbe", "GRULAB_HDF5_PROBE")


@pytest.fixture(scope="session")
def run_file(probe, tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "run-000.h5"
    subprocess.run([probe, "sample", str(path), str(STEPS)], check=True)
    return path


def test_root_attributes(run_file):
    with h5py.File(run_file, "r") as f:
        attrs = dict(f.attrs)
    assert attrs["schema_version"] == 1
    assert attrs["status"] == "completed"
    assert attrs["started_at"] == "2023-11-14T22:13:20.000Z"
    assert attrs["finished_at"] == "2023-11-14T22:14:20.000Z"
    assert attrs["git_commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert attrs["git_dirty"] == 1
    assert attrs["seed"] == 7
    assert attrs["experiment_yaml"].startswith("name: adding\ncell: gru\n")
    assert attrs["hdf5_version"].startswith("1.")
    assert attrs["swift_version"] == "6.3.1"
    assert attrs["blas"] == "OpenBLAS 0.3.21"
    assert attrs["baseline_metric"] == "mse"
    assert attrs["baseline"] == 1 / 6
    assert all(isinstance(attrs[k], str) for k in ("status", "git_commit", "experiment_yaml"))


def test_metrics_and_eval(run_file):
    with h5py.File(run_file, "r") as f:
        steps = f["metrics/step"][:]
        np.testing.assert_array_equal(steps, np.arange(STEPS))
        np.testing.assert_allclose(f["metrics/train_loss"][:], 1 / (steps + 1))
        np.testing.assert_allclose(f["metrics/grad_norm"][:], 2 / (steps + 1))
        np.testing.assert_allclose(f["metrics/learning_rate"][:], 0.001)
        np.testing.assert_allclose(f["metrics/wall_time"][:], steps * 0.5)
        assert f["metrics/train_loss"].dims[0].keys() == ["step"]
        assert f["metrics/train_loss"].compression == "gzip"
        np.testing.assert_array_equal(f["eval/step"][:], [0, 10, 20])
        np.testing.assert_allclose(f["eval/accuracy"][:], [0, 10 / 11, 20 / 21])


def test_gradients_with_h5py(run_file):
    with h5py.File(run_file, "r") as f:
        norms = f["gradients/dL_dh_norm"]
        assert norms.shape == (STEPS, 2, 8)
        assert norms.dtype == np.float32
        assert [d.label or d.keys()[0] for d in norms.dims] == ["step", "layer", "t"]
        # Layer 1, last time step, step 29: (1 + 1) * 0.5**0 / 30.
        assert norms[29, 1, 7] == np.float32(2 / 30)
        assert sorted(f["gradients/param_grad_norm"]) == [
            "bias_hh_l0", "bias_ih_l0", "weight_hh_l0", "weight_ih_l0"]
        np.testing.assert_allclose(f["gradients/param_grad_norm/weight_hh_l0"][:], 1 + np.arange(STEPS))


def test_gradients_open_in_xarray_with_named_dimensions(run_file):
    with xr.open_dataset(run_file, engine="h5netcdf", group="gradients") as ds:
        assert ds["dL_dh_norm"].dims == ("step", "layer", "t")
        assert dict(ds.sizes) == {"step": STEPS, "layer": 2, "t": 8}
        np.testing.assert_array_equal(ds["t"].values, np.arange(8))
        np.testing.assert_array_equal(ds["layer"].values, [0, 1])
        assert float(ds["dL_dh_norm"].sel(step=29, layer=1, t=7)) == pytest.approx(2 / 30)
        assert ds["decay_rate"].dims == ("step", "layer")


def test_metrics_to_pandas(run_file):
    with xr.open_dataset(run_file, engine="h5netcdf", group="metrics") as ds:
        frame = ds.to_dataframe()
    assert list(frame.columns) == ["grad_norm", "learning_rate", "train_loss", "wall_time"]
    assert frame.index.name == "step"
    assert frame.loc[9, "train_loss"] == pytest.approx(0.1)


def test_index_links_runs_with_their_hyper_parameters(probe, run_file, tmp_path):
    index = run_file.parent / "index.h5"
    subprocess.run([probe, "index", str(index), str(run_file), "lr-0.001", "0.001"], check=True)
    with h5py.File(index, "r") as f:
        assert f.attrs["schema_version"] == 1
        run = f["runs/lr-0.001"]
        assert run.attrs["learning_rate"] == 0.001
        assert isinstance(run.get("run", getlink=True), h5py.ExternalLink)
        assert run.get("run", getlink=True).filename == "run-000.h5"
        assert run["run"].attrs["status"] == "completed"
        assert run["run/metrics/train_loss"][0] == 1.0


def test_killed_run_opens_in_swmr_mode_with_h5py_and_xarray(probe, tmp_path):
    path = tmp_path / "killed.h5"
    writer = subprocess.Popen([probe, "crash", str(path)], stdout=subprocess.PIPE, text=True)
    for line in writer.stdout:
        if line.strip() == "flushed 20":
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    with h5py.File(path, "r", swmr=True) as f:
        assert f.attrs["status"] == "running"
        steps = f["metrics/step"][:]
        assert len(steps) >= 21
        np.testing.assert_allclose(f["metrics/train_loss"][:21], 1 / (np.arange(21) + 1))
        with xr.open_dataset(f, engine="h5netcdf", group="gradients") as ds:
            assert ds["dL_dh_norm"].dims == ("step", "layer", "t")
