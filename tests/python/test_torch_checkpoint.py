"""A model trained in GRULab continues in PyTorch: its checkpoint, loaded into nn.GRU / nn.LSTM /
nn.RNN, gives the evaluation loss GRULab recorded after its last update, on the same held-out
sequences (the `sequences` task holds out the last tenth of the file, in order).

Skipped when torch is not installed (scripts/setup installs the CPU build where it is cheap).
"""

import h5py
import numpy as np
import pytest

from conftest import run_experiment
from grulab_analysis import ResultsError, torch_model, torch_state_dict

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch (CPU build)")

SEQUENCES, STEPS, FEATURES = 60, 12, 3
EXPERIMENT = """\
name: continue
seed: 5
task: {{name: sequences, path: {path}}}
model: {{cell: gru, hidden_size: 6, num_layers: 2, bidirectional: true, input_projection: 4}}
train: {{steps: 25, batch_size: 8, optimizer: adam, lr: 1e-2, eval_every: 25, checkpoint_every: 25}}
log: {{every: 5, grad_h_every: null}}
sweep:
  model.cell: [gru, lstm, rnn-relu]
"""


@pytest.fixture(scope="module")
def trained(grulab, tmp_path_factory):
    directory = tmp_path_factory.mktemp("continue")
    generator = np.random.default_rng(11)
    x = generator.normal(size=(SEQUENCES, STEPS, FEATURES)).astype(np.float32)
    y = (x[:, :, 0].sum(axis=1) * 0.3 + x[:, -1, 1]).astype(np.float32)
    with h5py.File(directory / "data.h5", "w") as f:
        f["x"], f["y"] = x, y
    results = run_experiment(grulab, directory, EXPERIMENT.format(path=directory / "data.h5"))
    held_out = SEQUENCES // 10
    return results, torch.from_numpy(x[-held_out:]), torch.from_numpy(y[-held_out:])


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn-relu"])
def test_pytorch_gives_grulab_s_evaluation_loss_from_the_checkpoint(trained, cell):
    results, x, y = trained
    run = results / f"cell={cell}.h5"
    model = torch_model(run)
    with torch.no_grad():
        loss = torch.mean((model(x)[:, 0] - y) ** 2).item()
    with h5py.File(run, "r", swmr=True) as f:
        assert f["eval/step"][-1] == 25
        recorded = f["eval/loss"][-1]
    assert loss == pytest.approx(recorded, rel=2e-5)
    # and a model that did not train is far from it: the comparison can fail
    untrained = torch_model(run)
    for parameter in untrained.parameters():
        torch.nn.init.zeros_(parameter)
    with torch.no_grad():
        assert torch.mean((untrained(x)[:, 0] - y) ** 2).item() != pytest.approx(recorded, rel=1e-2)


def test_the_recurrent_layers_load_into_a_plain_nn_gru(trained):
    results, x, _ = trained
    gru = torch.nn.GRU(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    gru.load_state_dict(torch_state_dict(results / "cell=gru.h5"))
    projection = torch.nn.Linear(3, 4)
    projection.load_state_dict(torch_state_dict(results / "cell=gru.h5", prefix="input."))
    model = torch_model(results / "cell=gru.h5")
    with torch.no_grad():
        np.testing.assert_array_equal(gru(projection(x))[0].numpy(), model.rnn(model.input(x))[0].numpy())


def test_a_cell_pytorch_does_not_have_is_refused_naming_the_key(trained, grulab, tmp_path):
    results, _, _ = trained
    other = run_experiment(grulab, tmp_path, EXPERIMENT.format(path=results.parent.parent / "data.h5")
                           .replace("[gru, lstm, rnn-relu]", "[mingru]"))
    with pytest.raises(ResultsError, match=r"model\.cell: expected one of gru, lstm, rnn-tanh, rnn-relu for a "
                                           r"PyTorch model, found 'mingru'"):
        torch_model(other / "cell=mingru.h5")
