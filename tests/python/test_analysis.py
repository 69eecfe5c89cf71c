"""grulab_analysis on files the built `grulab` wrote: every value it shows is checked against
what h5py reads from the same file."""

import math

import h5py
import numpy as np
import pytest

from grulab_analysis import (ResultsError, load_checkpoint, load_index, load_run, plot_gate_saturation,
                             plot_gradient_flow, plot_gradient_heatmaps, plot_length_dependence,
                             plot_loss_curves, summary_table)
from grulab_analysis.report import main as report_main

CELLS = ["rnn-tanh", "lstm", "gru"]
LENGTHS = [50, 100]


def test_a_run_loads_with_its_series_dimensions_and_specification(study):
    path = study / "cell=gru,seq_len=100.h5"
    run = load_run(path)
    with h5py.File(path, "r", swmr=True) as f:
        np.testing.assert_array_equal(run["train_loss"].values, f["metrics/train_loss"][:])
        np.testing.assert_array_equal(run["step"].values, f["metrics/step"][:])
        np.testing.assert_array_equal(run["eval_loss"].values, f["eval/loss"][:])
        np.testing.assert_array_equal(run["dL_dh_norm"].values, f["gradients/dL_dh_norm"][:])
        np.testing.assert_array_equal(run["param_grad_norm"].sel(parameter="rnn.weight_hh_l0").values,
                                      f["gradients/param_grad_norm/rnn.weight_hh_l0"][:])
        np.testing.assert_array_equal(run["gate_update_saturated"].values, f["gates/update_saturated"][:])
        assert run.attrs["baseline"] == f.attrs["baseline"] == pytest.approx(1 / 6)
    assert run["step"].values.tolist() == [0, 5, 10, 15, 20, 25, 30, 35, 39]
    assert run["eval_step"].values.tolist() == [0, 20, 40]
    assert run["grad_step"].values.tolist() == [0, 10, 20, 30]
    assert run["dL_dh_norm"].dims == ("grad_step", "layer", "t")
    assert run["t"].values.tolist() == list(range(100))
    assert run["decay_rate"].dims == ("grad_step", "layer")
    assert run.attrs["model.cell"] == "gru"
    assert run.attrs["task.seq_len"] == 100
    assert run.attrs["run"] == "cell=gru,seq_len=100"
    assert run.attrs["status"] == "completed"
    assert run.attrs["baseline_metric"] == "mse"


def test_the_index_has_the_swept_hyper_parameters_as_dimensions(study):
    ds = load_index(study / "index.h5")
    assert ds.attrs["sweep_dims"] == ["cell", "seq_len"]
    assert ds.attrs["sweep_keys"] == ["model.cell", "task.seq_len"]
    assert ds["cell"].values.tolist() == CELLS
    assert ds["seq_len"].values.tolist() == LENGTHS
    assert ds["train_loss"].dims == ("cell", "seq_len", "step")
    assert ds["dL_dh_norm"].dims == ("cell", "seq_len", "grad_step", "layer", "t")
    assert ds["run"].sel(cell="lstm", seq_len=50).item() == "cell=lstm,seq_len=50"
    for cell in CELLS:
        for length in LENGTHS:
            with h5py.File(study / f"cell={cell},seq_len={length}.h5", "r", swmr=True) as f:
                np.testing.assert_array_equal(ds["eval_loss"].sel(cell=cell, seq_len=length).values,
                                              f["eval/loss"][:])
                norms = ds["dL_dh_norm"].sel(cell=cell, seq_len=length).values
                np.testing.assert_array_equal(norms[:, :, :length], f["gradients/dL_dh_norm"][:])
                # a run at T = 50 is padded with NaN beyond its own time steps
                assert np.isnan(norms[:, :, length:]).all()
    # the plain RNN has no update gate: its gate statistics are NaN, the gated cells' are not
    assert np.isnan(ds["gate_update_saturated"].sel(cell="rnn-tanh")).all()
    assert np.isfinite(ds["gate_update_saturated"].sel(cell="gru")).all()


def test_the_summary_table_holds_each_run_s_final_values(study):
    table = summary_table(load_index(study / "index.h5"))
    assert table["run"].tolist() == [f"cell={c},seq_len={n}" for c in CELLS for n in LENGTHS]
    assert (table["status"] == "completed").all()
    row = table.set_index("run").loc["cell=lstm,seq_len=100"]
    with h5py.File(study / "cell=lstm,seq_len=100.h5", "r", swmr=True) as f:
        assert row["train_loss"] == f["metrics/train_loss"][-1]
        assert row["eval_loss"] == f["eval/loss"][-1]
        assert row["decay_rate_init"] == f["gradients/decay_rate"][0, 0]
        assert row["decay_rate_trained"] == f["gradients/decay_rate"][-1, 0]
        assert row["eval_vs_baseline"] == pytest.approx(f["eval/loss"][-1] * 6)
    assert math.isnan(row["eval_accuracy"])


def test_the_gradient_flow_figure_plots_the_norms_at_initialisation(study):
    ds = load_index(study / "index.h5")
    figure = plot_gradient_flow(ds)
    panels = figure.axes
    assert [ax.get_title() for ax in panels] == ["seq_len = 50", "seq_len = 100"]
    assert panels[0].get_yscale() == "log"
    lines = {line.get_label(): line for line in panels[1].lines}
    assert sorted(lines) == sorted(CELLS)
    with h5py.File(study / "cell=rnn-tanh,seq_len=100.h5", "r", swmr=True) as f:
        norms = f["gradients/dL_dh_norm"][0, 0, :]
    # float32 norms that vanished to exactly 0 have no place on a log axis: they are left out
    assert (norms == 0).any()
    np.testing.assert_array_equal(lines["rnn-tanh"].get_ydata(), np.where(norms > 0, norms, np.nan))


def test_the_other_figures_draw_the_file_s_values(study):
    ds = load_index(study / "index.h5")
    loss = plot_loss_curves(ds)
    baseline_lines = [line for line in loss.axes[0].lines if line.get_label().startswith("baseline")]
    assert [line.get_ydata()[0] for line in baseline_lines] == [pytest.approx(1 / 6)]
    length = plot_length_dependence(ds)
    rates, losses = length.axes
    gru_loss = [line for line in losses.lines if line.get_label() == "gru"][0]
    np.testing.assert_array_equal(gru_loss.get_ydata(),
                                  [ds["eval_loss"].sel(cell="gru", seq_len=n).values[-1] for n in LENGTHS])
    heatmaps = plot_gradient_heatmaps(ds)
    assert [ax.get_title() for ax in heatmaps.axes[:6]] == [
        "cell=rnn-tanh,seq_len=50", "cell=rnn-tanh,seq_len=100", "cell=lstm,seq_len=50",
        "cell=lstm,seq_len=100", "cell=gru,seq_len=50", "cell=gru,seq_len=100"]
    saturation = plot_gate_saturation(ds)
    assert sorted(line.get_label() for line in saturation.axes[0].lines) == ["gru", "lstm"]


def test_a_single_run_without_a_sweep_draws_too(study):
    run = load_run(study / "cell=gru,seq_len=50.h5")
    figure = plot_gradient_flow(run)
    np.testing.assert_array_equal(figure.axes[0].lines[0].get_ydata(), run["dL_dh_norm"].values[0, 0])
    assert plot_length_dependence(run) is None


def test_the_report_writes_the_figures_a_page_and_a_table(study, tmp_path, capsys):
    assert report_main([str(study), "--out", str(tmp_path / "report")]) == 0
    written = sorted(p.name for p in (tmp_path / "report").iterdir())
    assert written == ["gate-saturation.png", "gradient-flow.png", "gradient-heatmaps.png", "length.png",
                       "loss.png", "report.md", "runs.csv"]
    page = (tmp_path / "report" / "report.md").read_text()
    with h5py.File(study / "cell=gru,seq_len=50.h5", "r", swmr=True) as f:
        eval_loss, rate = f["eval/loss"][-1], f["gradients/decay_rate"][0, 0]
    row = next(line for line in page.splitlines() if line.startswith("| cell=gru,seq_len=50 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:4] == ["cell=gru,seq_len=50", "gru", "50", "completed"]
    assert cells[5] == f"{eval_loss:.4g}"
    assert cells[7] == "mse 0.1667"
    assert cells[9] == f"{rate:.4g}"
    assert "![" in page and "(gradient-flow.png)" in page
    assert capsys.readouterr().out.startswith(f"report: {tmp_path / 'report' / 'report.md'}\n")


def test_a_missing_index_is_one_message_naming_the_file(tmp_path, capsys):
    assert report_main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"grulab: {tmp_path / 'index.h5'}: no such index; "
                                       "expected an experiment directory written by grulab run\n")
    with pytest.raises(ResultsError, match="cannot open the run file"):
        load_run(tmp_path / "nothing.h5")


@pytest.mark.parametrize("offset", [2048, 4096, 8192])
def test_a_damaged_run_file_is_one_message_naming_it(study, tmp_path, offset):
    # Bytes flipped all through a run file: HDF5's default SWMR retries would hang here forever.
    damaged = tmp_path / "damaged.h5"
    data = bytearray((study / "cell=gru,seq_len=50.h5").read_bytes())
    for i in range(offset, len(data), 97):
        data[i] ^= 0x5A
    damaged.write_bytes(bytes(data))
    with pytest.raises(ResultsError, match=f"^{damaged}: cannot (open|read) the run file"):
        load_run(damaged)


def test_a_series_shorter_than_its_steps_is_a_damaged_file(study, tmp_path):
    # A step without its values: no writer leaves one (series are flushed before their steps).
    damaged = tmp_path / "short.h5"
    damaged.write_bytes((study / "cell=gru,seq_len=50.h5").read_bytes())
    with h5py.File(damaged, "r+") as f:
        steps = f["metrics/step"]
        steps.resize((steps.shape[0] + 1,))
        steps[-1] = 40
    with pytest.raises(ResultsError) as error:
        load_run(damaged)
    assert str(error.value) == f"{damaged}: it is corrupted: /metrics/grad_norm has 9 rows for 10 steps"


def test_a_checkpoint_loads_with_pytorch_s_names_and_shapes(study):
    parameters = load_checkpoint(study / "cell=lstm,seq_len=50.h5")
    assert parameters["step"] == 40
    shapes = {name: value.shape for name, value in parameters.items() if name != "step"}
    assert shapes == {"rnn.weight_ih_l0": (64, 2), "rnn.weight_hh_l0": (64, 16), "rnn.bias_ih_l0": (64,),
                      "rnn.bias_hh_l0": (64,), "head.weight": (1, 16), "head.bias": (1,)}
    assert parameters["rnn.weight_hh_l0"].dtype == np.float32
