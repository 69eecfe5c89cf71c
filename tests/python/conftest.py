"""Shared fixtures of the Python tests: the built `grulab` and small experiments it runs.

Products of the Swift package are found through an environment variable (scripts/test sets
GRULAB_BIN and GRULAB_HDF5_PROBE), or built with `swift build`.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: A small form of experiments/vanishing-gradients.yaml, with the same name and run names, so
#: that docs/analysis.md's examples run on it: three cells at T = 50 and 100, a few steps each.
TINY_STUDY = """\
name: vanishing-gradients
seed: 0
task: {name: adding, seq_len: 100}
model: {cell: gru, hidden_size: 16, forget_bias: 1}
train: {steps: 40, batch_size: 8, optimizer: adam, lr: 1e-2, clip: 1.0, eval_every: 20, eval_batches: 2,
        checkpoint_every: 40}
log: {every: 5, grad_h_every: 10, flush_every: 0.5}
sweep:
  model.cell: [rnn-tanh, lstm, gru]
  task.seq_len: [50, 100]
"""


def built_product(product: str, variable: str) -> str:
    """The path of a product of the Swift package: `$variable` when set, else built here."""
    if variable in os.environ:
        return os.environ[variable]
    subprocess.run(["swift", "build", "--product", product], cwd=REPO, check=True)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
    return str(Path(bin_path) / product)


@pytest.fixture(scope="session")
def grulab():
    return built_product("grulab", "GRULAB_BIN")


def run_experiment(grulab, directory: Path, text: str, *arguments) -> Path:
    """Writes `text` as `experiment.yaml` in `directory`, runs it into `directory/results`, and
    returns the experiment's results directory."""
    directory.mkdir(parents=True, exist_ok=True)
    experiment = directory / "experiment.yaml"
    experiment.write_text(text)
    subprocess.run([grulab, "run", str(experiment), "--out", str(directory / "results"), *arguments],
                   check=True, capture_output=True, text=True)
    name = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("name:"))
    return directory / "results" / name


@pytest.fixture(scope="session")
def study(grulab, tmp_path_factory):
    """results/vanishing-gradients/ of the tiny study: 6 runs, index.h5, checkpoints."""
    return run_experiment(grulab, tmp_path_factory.mktemp("study"), TINY_STUDY, "--jobs", "2")
