#!/usr/bin/env python3
"""PyTorch's side of scripts/bench.

Times one benchmark over a list of configurations and prints one JSON line per
configuration, in the same form as GRULab's side (Benchmarks/Sources/grulab-bench), which
takes the same arguments and knows the same benchmark names:

    bench_pytorch.py --bench gru-train --configs 2,128,64,1000 8,64,16,100 \
                     [--threads 2] [--warmup 3] [--min-steps 5] [--min-seconds 2]

A configuration is I,H,N,T (input size, hidden size, batch, steps), or C_in,H_c,S,k,N,T for a
convolutional cell (channels, S x S feature maps, k x k kernels). Each configuration runs
`warmup` untimed steps, then timed steps until both `min-steps` and `min-seconds` are
reached; the reported number is the median step time in milliseconds, and `peak_mb` the
peak resident memory of the steps, measured as GRULab's side does (see step_peak_megabytes).
"""

import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def sgd(parameters, learning_rate):
    with torch.no_grad():
        for p in parameters:
            p -= learning_rate * p.grad
            p.grad = None


class TrainStep:
    """One training step of a one-layer `module` (nn.GRU, nn.LSTM, ...): forward over
    [T, N, I] with h0 omitted (zeros), backward of L = sum(output * g) for a fixed random g,
    and plain SGD on every parameter."""

    def __init__(self, module, config, learning_rate=1e-4):
        i, h, n, t = config
        self.net = module(i, h)
        self.x = torch.empty(t, n, i).uniform_(-1, 1)
        self.g = torch.empty(t, n, h).uniform_(-1, 1)
        self.lr = learning_rate

    def run(self):
        out, _ = self.net(self.x)
        (out * self.g).sum().backward()
        sgd(self.net.parameters(), self.lr)


class EvalStep:
    """Evaluation: the forward pass of a one-layer `module` under torch.no_grad(), in eval
    mode, h0 omitted."""

    def __init__(self, module, config):
        i, h, n, t = config
        self.net = module(i, h).eval()
        self.x = torch.empty(t, n, i).uniform_(-1, 1)

    def run(self):
        with torch.no_grad():
            self.net(self.x)


class CellLoopTrainStep:
    """What a PyTorch user writes for a GRU with a state modifier, which nn.GRU does not offer,
    or for a cell of their own: an nn.GRUCell loop over time (h0 zeros), then the same loss,
    backward and SGD as TrainStep.

    With neither option, the plain loop h_t = cell(x_t, h_{t-1}).

    zoneout=p: a fresh Bernoulli(p) mask m per step, h_t = m*h_{t-1} + (1-m)*cell(x_t, h_{t-1}).
    dropout=q: variational (inverted) dropout, one input mask mx [N, I] and one recurrent mask
    mh [N, H] per sequence, the same at every step: h_t = cell(x_t*mx, h_{t-1}*mh); the outputs
    are the unmasked h_t (GRULab's semantics).

    log_hidden_gradients: records ||dL/dh_t|| of every step in backward, through a hook on each
    h_t: how a PyTorch user gets the total derivative with respect to each hidden state, which
    nn.GRU does not expose (its output's gradient is only the direct term)."""

    def __init__(self, config, zoneout=0.0, dropout=0.0, log_hidden_gradients=False, learning_rate=1e-4):
        i, h, n, t = config
        self.cell = torch.nn.GRUCell(i, h)
        self.x = torch.empty(t, n, i).uniform_(-1, 1)
        self.g = torch.empty(t, n, h).uniform_(-1, 1)
        self.h0 = torch.zeros(n, h)
        self.zoneout, self.dropout = zoneout, dropout
        self.log_hidden_gradients = log_hidden_gradients
        self.hidden_gradient_norms = [0.0] * t
        self.lr = learning_rate

    def forward(self):
        h, outputs = self.h0, []
        if self.zoneout > 0:
            p = self.zoneout
            for x_t in self.x.unbind(0):
                m = torch.empty_like(h).bernoulli_(p)
                h = m * h + (1 - m) * self.cell(x_t, h)
                outputs.append(h)
        elif self.dropout > 0:
            keep = 1 - self.dropout
            mx = torch.empty_like(self.x[0]).bernoulli_(keep) / keep
            mh = torch.empty_like(h).bernoulli_(keep) / keep
            for x_t in (self.x * mx).unbind(0):
                h = self.cell(x_t, h * mh)
                outputs.append(h)
        else:
            for t, x_t in enumerate(self.x.unbind(0)):
                h = self.cell(x_t, h)
                if self.log_hidden_gradients:
                    h.register_hook(self.recorder(t))
                outputs.append(h)
        return torch.stack(outputs)

    def recorder(self, t):
        def record(gradient):
            self.hidden_gradient_norms[t] = gradient.norm().item()
        return record

    def run(self):
        (self.forward() * self.g).sum().backward()
        sgd(self.cell.parameters(), self.lr)


class MinGRUTrainStep:
    """GRULab's mingru in PyTorch: z = sigmoid(x W_z^T + b_z), h~ = x W_h^T + b_h,
    h_t = (1 - z_t) h_{t-1} + z_t h~_t with h0 = 0, every step at once by the log-space parallel
    scan of Heinsen 2023 (as Feng et al. 2024's reference code), h~'s sign handled by scanning
    its positive and negative parts apart; then the same loss, backward and SGD as TrainStep."""

    def __init__(self, config, learning_rate=1e-4):
        i, h, n, t = config
        self.gates = torch.nn.Linear(i, 2 * h)
        self.x = torch.empty(t, n, i).uniform_(-1, 1)
        self.g = torch.empty(t, n, h).uniform_(-1, 1)
        self.lr = learning_rate

    def forward(self):
        k, candidate = self.gates(self.x).chunk(2, dim=-1)
        log_z, log_a = F.logsigmoid(k), F.logsigmoid(-k)  # log z and log(1 - z)
        a_star = torch.cumsum(log_a, dim=0)  # log of the product of a over steps <= t
        def scan(values):
            log_b = log_z + torch.log(values.clamp(min=1e-30))
            return torch.exp(a_star + torch.logcumsumexp(log_b - a_star, dim=0))
        return scan(candidate) - scan(-candidate)

    def run(self):
        (self.forward() * self.g).sum().backward()
        sgd(self.gates.parameters(), self.lr)


class ConvGRULoopTrainStep:
    """The convolutional GRU (GRULab's convgru, the convention of the parity-conv fixture) as a
    PyTorch user writes it: F.conv2d with 'same' padding, the input convolution of all T*N
    frames hoisted out of the loop, then a loop over time; the same loss, backward and SGD as
    TrainStep."""

    def __init__(self, config, learning_rate=1e-4):
        cin, ch, s, k, n, t = config
        bound = 1 / (ch * k * k) ** 0.5
        def param(*shape):
            return torch.empty(*shape).uniform_(-bound, bound).requires_grad_()
        self.params = [param(3 * ch, cin, k, k), param(3 * ch, ch, k, k), param(3 * ch), param(3 * ch)]
        self.x = torch.empty(t, n, cin, s, s).uniform_(-1, 1)
        self.g = torch.empty(t, n, ch, s, s).uniform_(-1, 1)
        self.h0 = torch.zeros(n, ch, s, s)
        self.ch, self.pad, self.lr = ch, k // 2, learning_rate

    def forward(self):
        w_ih, w_hh, b_ih, b_hh = self.params
        t, n = self.x.shape[:2]
        ch = self.ch
        xi = F.conv2d(self.x.flatten(0, 1), w_ih, b_ih, padding=self.pad).view(t, n, 3 * ch, *self.x.shape[3:])
        h, outputs = self.h0, []
        for x_t in xi.unbind(0):
            xr, xz, xn = x_t.chunk(3, 1)
            hr, hz = F.conv2d(h, w_hh[:2 * ch], b_hh[:2 * ch], padding=self.pad).chunk(2, 1)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            cand = torch.tanh(xn + F.conv2d(r * h, w_hh[2 * ch:], b_hh[2 * ch:], padding=self.pad))
            h = (1 - z) * cand + z * h
            outputs.append(h)
        return torch.stack(outputs)

    def run(self):
        (self.forward() * self.g).sum().backward()
        sgd(self.params, self.lr)


# The benchmarks by name; GRULab's side has the same names, and scripts/bench lists them. Add a
# row on all three to add a benchmark.
BENCHMARKS = {
    "gru-train": lambda c: TrainStep(torch.nn.GRU, c),
    "lstm-train": lambda c: TrainStep(torch.nn.LSTM, c),
    "gru-eval": lambda c: EvalStep(torch.nn.GRU, c),
    "zoneout-gru-train": lambda c: CellLoopTrainStep(c, zoneout=0.1),
    "variational-gru-train": lambda c: CellLoopTrainStep(c, dropout=0.25),
    "custom-gru-train": lambda c: CellLoopTrainStep(c),
    "gru-train-logged": lambda c: CellLoopTrainStep(c, log_hidden_gradients=True),
    "mingru-train": lambda c: MinGRUTrainStep(c),
    "convgru-train": lambda c: ConvGRULoopTrainStep(c),
}


def resident_kilobytes(field):
    """A memory field of /proc/self/status (VmRSS, VmHWM) in kB, or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_memory():
    """Resets VmHWM to the current resident size (5 into /proc/self/clear_refs); returns it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass
    return resident_kilobytes("VmRSS")


def step_peak_megabytes(baseline):
    """The peak resident memory of the steps since reset_peak_memory() returned baseline, in MB:
    VmHWM after them minus the resident size before (the runtime, model and data not counted)."""
    peak = resident_kilobytes("VmHWM")
    return None if baseline is None or peak is None else (peak - baseline) / 1024


def config(text):
    parts = [int(p) for p in text.split(",")]
    if len(parts) not in (4, 6) or min(parts) <= 0:
        raise argparse.ArgumentTypeError(f"a configuration is I,H,N,T or C_in,H_c,S,k,N,T, got {text}")
    return tuple(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="gru-train", choices=sorted(BENCHMARKS))
    parser.add_argument("--configs", type=config, nargs="+", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--min-steps", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=2.0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    for c in args.configs:
        step = BENCHMARKS[args.bench](c)
        resident_before = reset_peak_memory()
        for _ in range(args.warmup):
            step.run()
        times = []
        start = time.perf_counter()
        while len(times) < max(1, args.min_steps) or time.perf_counter() - start < args.min_seconds:
            t0 = time.perf_counter()
            step.run()
            times.append((time.perf_counter() - t0) * 1e3)
        result = {"side": "pytorch", "bench": args.bench, "config": list(c), "stat": "median",
                  "ms": statistics.median(times), "steps": len(times), "warmup": args.warmup,
                  "threads": torch.get_num_threads(), "torch": torch.__version__}
        peak = step_peak_megabytes(resident_before)
        if peak is not None:
            result["peak_mb"] = peak
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
