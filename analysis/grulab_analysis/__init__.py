"""Load GRULab results into xarray, draw the standard figures, write reports, and load
checkpoints into PyTorch. See docs/analysis.md."""

from .errors import ResultsError
from .results import index_runs, load_index, load_run, run_spec, sweep_labels
from .summary import summary_table
from .figures import (plot_gate_saturation, plot_gradient_flow, plot_gradient_heatmaps,
                      plot_length_dependence, plot_loss_curves)
from .checkpoint import load_checkpoint, torch_model, torch_state_dict

__all__ = ["ResultsError", "index_runs", "load_index", "load_run", "run_spec", "sweep_labels",
           "summary_table", "plot_gate_saturation", "plot_gradient_flow", "plot_gradient_heatmaps",
           "plot_length_dependence", "plot_loss_curves", "load_checkpoint", "torch_model",
           "torch_state_dict"]
