"""GRULab checkpoints (``<run>.checkpoint.json`` beside ``<run>.h5``) as numpy arrays, as a
PyTorch ``state_dict`` for ``nn.GRU`` / ``nn.LSTM`` / ``nn.RNN``, and as a whole PyTorch model
that continues where GRULab stopped.

A checkpoint holds ``step`` (updates applied), ``parameterNames``, ``parameterShapes`` and
``parameters``: every parameter's values one after the other, each row-major, float32. Names
are the model's: ``input.weight``/``input.bias`` (the optional input projection, an
``nn.Linear``), ``rnn.<name>`` with the cell's own names (PyTorch's ``weight_ih_l0``,
``bias_hh_l1_reverse``, ... for ``gru``, ``lstm``, ``rnn-tanh``, ``rnn-relu``), and
``head.weight``/``head.bias`` (an ``nn.Linear`` over the last layer's ``D*H`` outputs).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import ResultsError
from .results import run_spec

#: GRULab cells that are exactly a PyTorch module, and that module's name.
TORCH_CELLS = {"gru": "GRU", "lstm": "LSTM", "rnn-tanh": "RNN", "rnn-relu": "RNN"}


def checkpoint_path(run_path) -> Path:
    """``<run>.checkpoint.json`` for ``<run>.h5``."""
    run_path = Path(run_path)
    return run_path.with_name(run_path.name[: -len(".h5")] + ".checkpoint.json") \
        if run_path.name.endswith(".h5") else run_path


def load_checkpoint(path) -> dict:
    """The parameters of a checkpoint, by name, as float32 arrays of their shapes, and its
    ``step`` under the key ``"step"``. ``path`` is the checkpoint or its run file (``.h5``)."""
    path = checkpoint_path(path)
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path}: cannot read the checkpoint: {error}") from error
    for key in ("step", "parameterNames", "parameters"):
        if key not in stored:
            raise ResultsError(f"{path}: {key}: missing; expected a GRULab checkpoint")
    if "parameterShapes" not in stored:
        raise ResultsError(f"{path}: parameterShapes: missing; the checkpoint predates stored shapes, "
                           "run the experiment again with this GRULab to write one")
    values = np.asarray(stored["parameters"], dtype=np.float32)
    names, shapes = stored["parameterNames"], stored["parameterShapes"]
    total = sum(int(np.prod(shape)) for shape in shapes)
    if len(names) != len(shapes) or total != values.size:
        raise ResultsError(f"{path}: parameters: {values.size} values for shapes {shapes} of {len(names)} names")
    parameters, offset = {}, 0
    for name, shape in zip(names, shapes):
        count = int(np.prod(shape))
        parameters[name] = values[offset:offset + count].reshape(shape)
        offset += count
    return {"step": stored["step"], **parameters}


def torch_state_dict(path, prefix: str = "rnn.") -> dict:
    """The parameters under ``prefix`` (``rnn.``: the recurrent layers; ``head.``: the output
    layer; ``input.``: the input projection) as torch tensors named without the prefix: for
    ``gru``/``lstm``/``rnn-*`` exactly ``nn.GRU``/``nn.LSTM``/``nn.RNN``'s ``state_dict``."""
    import torch

    parameters = load_checkpoint(path)
    return {name[len(prefix):]: torch.from_numpy(np.array(value))
            for name, value in parameters.items() if name != "step" and name.startswith(prefix)}


def _spec_error(run_path, key, expected, found):
    return ResultsError(f"{run_path}: {key}: expected {expected} for a PyTorch model, found {found!r}")


def torch_model(run_path):
    """The run's whole model in PyTorch, its parameters from the checkpoint beside the run file:
    ``[input projection] -> nn.GRU / nn.LSTM / nn.RNN (batch_first) -> head``.

    The module's ``forward(x, lengths=None)`` takes ``x [N, T, C]`` (batch-first) and returns
    ``[N, O]`` read at each sequence's last valid step (``model.head: last``) or ``[N, T, O]``
    (``model.head: every``), in evaluation mode as GRULab evaluates (dropout off). Only cells
    PyTorch has (``gru``, ``lstm``, ``rnn-tanh``, ``rnn-relu``) with PyTorch's activations and
    no zoneout qualify: anything else raises :class:`ResultsError` naming the key.
    """
    import torch
    from torch import nn

    spec = run_spec(run_path)
    cell = spec.get("model.cell")
    if cell not in TORCH_CELLS:
        raise _spec_error(run_path, "model.cell", "one of " + ", ".join(TORCH_CELLS), cell)
    if spec.get("model.zoneout", 0):
        raise _spec_error(run_path, "model.zoneout", "0 (PyTorch has no zoneout)", spec["model.zoneout"])
    if spec.get("model.gate_activation", "sigmoid") != "sigmoid":
        raise _spec_error(run_path, "model.gate_activation", "sigmoid", spec["model.gate_activation"])
    if cell in ("gru", "lstm") and spec.get("model.candidate_activation", "tanh") != "tanh":
        raise _spec_error(run_path, "model.candidate_activation", "tanh", spec["model.candidate_activation"])
    parameters = load_checkpoint(run_path)
    head_weight = parameters["head.weight"]
    if "input.weight" in parameters:
        projection_size, input_size = parameters["input.weight"].shape
    else:
        projection_size = input_size = parameters["rnn.weight_ih_l0"].shape[1]
    options = dict(input_size=projection_size, hidden_size=spec["model.hidden_size"],
                   num_layers=spec.get("model.num_layers", 1), bidirectional=spec.get("model.bidirectional", False),
                   dropout=spec.get("model.dropout", 0.0), batch_first=True)
    if cell.startswith("rnn-"):
        options["nonlinearity"] = cell[len("rnn-"):]
    every_step = spec.get("model.head") == "every"

    class GRULabModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.input = nn.Linear(input_size, projection_size) if "input.weight" in parameters else None
            self.rnn = getattr(nn, TORCH_CELLS[cell])(**options)
            self.head = nn.Linear(head_weight.shape[1], head_weight.shape[0])

        def forward(self, x, lengths=None):
            outputs, _ = self.rnn(self.input(x) if self.input is not None else x)
            if every_step:
                return self.head(outputs)
            last = (torch.as_tensor(lengths) - 1 if lengths is not None
                    else torch.full((x.shape[0],), x.shape[1] - 1))
            return self.head(outputs[torch.arange(x.shape[0]), last])

    model = GRULabModel()
    state = {name: torch.from_numpy(np.array(value)) for name, value in parameters.items() if name != "step"}
    model.load_state_dict(state)
    return model.eval()
