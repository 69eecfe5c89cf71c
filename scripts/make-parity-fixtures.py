#!/usr/bin/env python3
"""Generate additional GRULab parity fixtures with PyTorch (CPU, float64).

Usage:
    python3 scripts/make-parity-fixtures.py [--out DIR] [--check-dir DIR] [--no-self-check]

What it does:
  1. Self-check (unless --no-self-check): recomputes every fixture in --check-dir (default:
     Tests/GRULabTestSupport/Resources/parity, the shared fixtures) from that fixture's own
     inputs and parameters with the code below, and asserts that the forward output, h_n, loss,
     every gradient and grad_h_norm agree to max abs diff < 1e-12. This proves that the
     equations and the grad_h_norm definition used here are the ones the shared fixtures use.
  2. Writes the fixtures listed in FIXTURES into --out (default:
     Tests/GRULabTestSupport/Resources/parity-extra), one JSON file each, in exactly the format
     of the shared fixtures (same keys, key order, nesting, time-major layout, float64 values,
     single line, no trailing newline).
  3. Reads every written file back and re-verifies it the same way (JSON round trip).

Determinism: every fixture calls torch.manual_seed(seed) with its own fixed seed and draws its
tensors in a fixed order; the output is byte-identical from run to run (same PyTorch version).

Value ranges (as in the shared fixtures): x, h0, c0, loss weights and w ~ U(-1, 1); every
parameter ~ U(-0.6, 0.6) (not PyTorch's default init).

Format, loss and grad_h_norm definition: docs/parity-fixtures.md.
"""

import argparse
import json
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "Tests", "GRULabTestSupport", "Resources", "parity-extra")
DEFAULT_CHECK = os.path.join(REPO, "Tests", "GRULabTestSupport", "Resources", "parity")
DEFAULT_CONV_CHECK = os.path.join(REPO, "Tests", "GRULabTestSupport", "Resources", "parity-conv")
TOL = 1e-12

MODULE_LAYOUT = ("x: [seq_len][batch][input_size]; h0/h_n: [num_layers*directions][batch][hidden]; "
                 "output: [seq_len][batch][directions*hidden]")
EQUATION_LAYOUT = "x: [seq_len][batch][input_size]; h0/h_n: [1][batch][hidden]; output: [seq_len][batch][hidden]"
CURVE_NOTE = ("grad_h_norm[t] = Frobenius norm over [batch][hidden] of the total derivative dL/dh_t "
              "(t = 0 is the first step)")

# --------------------------------------------------------------------------------------------
# Cells with a PyTorch module: gru, lstm, rnn-tanh, rnn-relu


def make_module(cell, input_size, hidden_size, num_layers, bidirectional):
    kw = dict(num_layers=num_layers, bidirectional=bidirectional)
    if cell == "gru":
        return torch.nn.GRU(input_size, hidden_size, **kw)
    if cell == "lstm":
        return torch.nn.LSTM(input_size, hidden_size, **kw)
    if cell == "rnn-tanh":
        return torch.nn.RNN(input_size, hidden_size, nonlinearity="tanh", **kw)
    if cell == "rnn-relu":
        return torch.nn.RNN(input_size, hidden_size, nonlinearity="relu", **kw)
    raise ValueError(f"not a module cell: {cell}")


MODULE_REFERENCE = {"gru": "torch.nn.GRU", "lstm": "torch.nn.LSTM",
                    "rnn-tanh": "torch.nn.RNN", "rnn-relu": "torch.nn.RNN"}


def compute_module(d):
    """Forward + backward of a module fixture from its own inputs/params -> `expected` dict."""
    cell = d["cell"]
    m = make_module(cell, d["input_size"], d["hidden_size"], d["num_layers"], d["bidirectional"])
    names = [k for k, _ in m.named_parameters()]
    assert names == list(d["params"].keys()), (names, list(d["params"].keys()))
    with torch.no_grad():
        for k, v in d["params"].items():
            p = getattr(m, k)
            t = torch.tensor(v)
            assert p.shape == t.shape, (k, p.shape, t.shape)
            p.copy_(t)
    x = torch.tensor(d["x"]).requires_grad_()
    h0 = torch.tensor(d["h0"]).requires_grad_()
    if cell == "lstm":
        c0 = torch.tensor(d["c0"]).requires_grad_()
        out, (h_n, _c_n) = m(x, (h0, c0))
    else:
        out, h_n = m(x, h0)
    loss = ((out * torch.tensor(d["loss_weights"]["output"])).sum()
            + (h_n * torch.tensor(d["loss_weights"]["h_n"])).sum())
    loss.backward()
    grad = {k: p.grad.tolist() for k, p in m.named_parameters()}
    grad["x"] = x.grad.tolist()
    grad["h0"] = h0.grad.tolist()
    # lstm: c0's gradient is deliberately NOT written (the shared lstm.json has no grad.c0).
    return {"output": out.tolist(), "h_n": h_n.tolist(), "loss": loss.item(), "grad": grad}


def relu_margin(d):
    """Smallest |pre-activation| of an rnn-relu fixture (so float32 cannot take the other branch)."""
    H, L = d["hidden_size"], d["num_layers"]
    D = 2 if d["bidirectional"] else 1
    p = {k: torch.tensor(v) for k, v in d["params"].items()}
    h0 = torch.tensor(d["h0"])
    inp = torch.tensor(d["x"])
    margin = float("inf")
    for layer in range(L):
        outs = []
        for direction in range(D):
            sfx = f"_l{layer}" + ("_reverse" if direction else "")
            h = h0[layer * D + direction]
            steps = range(inp.shape[0]) if direction == 0 else reversed(range(inp.shape[0]))
            hs = [None] * inp.shape[0]
            for t in steps:
                a = (inp[t] @ p["weight_ih" + sfx].T + p["bias_ih" + sfx]
                     + h @ p["weight_hh" + sfx].T + p["bias_hh" + sfx])
                margin = min(margin, a.abs().min().item())
                h = torch.relu(a)
                hs[t] = h
            outs.append(torch.stack(hs))
        inp = torch.cat(outs, -1)
    assert inp.shape[-1] == D * H
    return margin


def module_fixture(cell, input_size, hidden_size, num_layers, bidirectional, seq_len, batch, seed):
    torch.manual_seed(seed)
    D = 2 if bidirectional else 1
    x = uniform((seq_len, batch, input_size), 1.0)
    h0 = uniform((num_layers * D, batch, hidden_size), 1.0)
    c0 = uniform((num_layers * D, batch, hidden_size), 1.0) if cell == "lstm" else None
    w_out = uniform((seq_len, batch, D * hidden_size), 1.0)
    w_hn = uniform((num_layers * D, batch, hidden_size), 1.0)
    m = make_module(cell, input_size, hidden_size, num_layers, bidirectional)
    params = {k: uniform(tuple(p.shape), 0.6).tolist() for k, p in m.named_parameters()}
    d = {"cell": cell, "reference": MODULE_REFERENCE[cell], "input_size": input_size,
         "hidden_size": hidden_size, "num_layers": num_layers, "bidirectional": bidirectional,
         "seq_len": seq_len, "batch": batch, "layout": MODULE_LAYOUT}
    if c0 is not None:
        d["c0"] = c0.tolist()  # key order as in the shared lstm.json: c0 before x
    d["x"] = x.tolist()
    d["h0"] = h0.tolist()
    d["loss_weights"] = {"output": w_out.tolist(), "h_n": w_hn.tolist()}
    d["params"] = params
    d["expected"] = compute_module(d)
    if cell == "rnn-relu":
        margin = relu_margin(d)
        assert margin > 1e-3, f"relu pre-activation too close to 0 ({margin}); change the seed"
    return d


# --------------------------------------------------------------------------------------------
# Cells defined by equations: d2l-gru, mingru, cellstate-gru, zoneout-gru-eval (single layer)


def d2l_params(I, H):
    return [("W_xr", (I, H)), ("W_hr", (H, H)), ("b_r", (H,)),
            ("W_xz", (I, H)), ("W_hz", (H, H)), ("b_z", (H,)),
            ("W_xh", (I, H)), ("W_hh", (H, H)), ("b_h", (H,))]


def d2l_step(p, x, h, c, d):
    R = torch.sigmoid(x @ p["W_xr"] + h @ p["W_hr"] + p["b_r"])
    Z = torch.sigmoid(x @ p["W_xz"] + h @ p["W_hz"] + p["b_z"])
    Ht = torch.tanh(x @ p["W_xh"] + (R * h) @ p["W_hh"] + p["b_h"])
    return Z * h + (1 - Z) * Ht, c


def mingru_params(I, H):
    return [("weight_z", (H, I)), ("bias_z", (H,)), ("weight_h", (H, I)), ("bias_h", (H,))]


def mingru_step(p, x, h, c, d):
    z = torch.sigmoid(x @ p["weight_z"].T + p["bias_z"])
    ht = x @ p["weight_h"].T + p["bias_h"]
    return (1 - z) * h + z * ht, c


def cellstate_params(I, H):
    return [("W_r", (H + I, H)), ("W_z", (H + I, H)), ("W", (H + I, H))]


def cellstate_step(p, x, h, c, d):
    hx = torch.cat([h, x], -1)
    r = torch.sigmoid(hx @ p["W_r"])
    z = torch.sigmoid(hx @ p["W_z"])
    ct = torch.tanh(torch.cat([r * h, x], -1) @ p["W"])
    c = z * c + (1 - z) * ct
    return torch.tanh(c), c


def torch_gru_cell(p, x, h):
    """PyTorch GRUCell equations, gate order r, z, n; reset applied after the recurrent matmul."""
    H = h.shape[-1]
    gi = x @ p["weight_ih"].T + p["bias_ih"]
    gh = h @ p["weight_hh"].T + p["bias_hh"]
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h


def zoneout_params(I, H):
    return [("weight_ih", (3 * H, I)), ("weight_hh", (3 * H, H)), ("bias_ih", (3 * H,)), ("bias_hh", (3 * H,))]


def zoneout_step(p, x, h, c, d):
    zp = d["zoneout"]
    return zp * h + (1 - zp) * torch_gru_cell(p, x, h), c


EQUATIONS = {
    "d2l-gru": (d2l_params, d2l_step, lambda zp: (
        "R=sig(X W_xr + H W_hr + b_r); Z=sig(X W_xz + H W_hz + b_z); Ht=tanh(X W_xh + (R*H) W_hh + b_h); "
        "H=Z*H+(1-Z)*Ht; W_x*: [input][hidden], W_h*: [hidden][hidden]")),
    "mingru": (mingru_params, mingru_step, lambda zp: (
        "z=sig(x W_z^T + b_z); ht=x W_h^T + b_h; h=(1-z)*h_prev+z*ht; weight_*: [hidden][input]")),
    "cellstate-gru": (cellstate_params, cellstate_step, lambda zp: (
        "r=sig([h,x] W_r); z=sig([h,x] W_z); ct=tanh([r*h,x] W); c=z*c+(1-z)*ct; h=tanh(c); c0=0; "
        "W_*: [hidden+input][hidden], concatenation order [h, x], no biases")),
    "zoneout-gru-eval": (zoneout_params, zoneout_step, lambda zp: (
        f"PyTorch GRU cell (gate order r,z,n) with zoneout probability {zp} on the hidden state, "
        "evaluation mode: h = p*h_prev + (1-p)*gru(x,h_prev)")),
}


def compute_equation(d):
    """Forward + backward of an equation fixture; grad_h_norm[t] = ||dL/dh_t||_F where h_t is the
    output of step t (t = 0 -> first step's output h_1), the TOTAL derivative: the step's own
    output-loss weight, plus (for the last step) the h_n weight, plus everything flowing back
    from later steps through the recurrence. cellstate-gru: h_t only (not through c_t)."""
    spec, step, _ = EQUATIONS[d["cell"]]
    assert [k for k, _ in spec(d["input_size"], d["hidden_size"])] == list(d["params"].keys())
    assert d["num_layers"] == 1 and d["bidirectional"] is False
    p = {k: torch.tensor(v).requires_grad_() for k, v in d["params"].items()}
    for k, shape in spec(d["input_size"], d["hidden_size"]):
        assert tuple(p[k].shape) == shape, (k, p[k].shape, shape)
    x = torch.tensor(d["x"]).requires_grad_()
    h0 = torch.tensor(d["h0"]).requires_grad_()
    h = h0[0]
    c = torch.zeros_like(h)  # cellstate-gru: c0 = 0 (others ignore c)
    hs = []
    for t in range(x.shape[0]):
        h, c = step(p, x[t], h, c, d)
        h.retain_grad()
        hs.append(h)
    out = torch.stack(hs)
    h_n = h.unsqueeze(0)
    loss = ((out * torch.tensor(d["loss_weights"]["output"])).sum()
            + (h_n * torch.tensor(d["loss_weights"]["h_n"])).sum())
    loss.backward()
    grad = {k: v.grad.tolist() for k, v in p.items()}
    grad["x"] = x.grad.tolist()
    grad["h0"] = h0.grad.tolist()
    return {"output": out.tolist(), "h_n": h_n.tolist(), "loss": loss.item(), "grad": grad,
            "grad_h_norm": [ht.grad.norm().item() for ht in hs]}


def equation_fixture(cell, input_size, hidden_size, seq_len, batch, seed, zoneout=None):
    torch.manual_seed(seed)
    spec, _, convention = EQUATIONS[cell]
    x = uniform((seq_len, batch, input_size), 1.0)
    h0 = uniform((1, batch, hidden_size), 1.0)
    w_out = uniform((seq_len, batch, hidden_size), 1.0)
    w_hn = uniform((1, batch, hidden_size), 1.0)
    params = {k: uniform(shape, 0.6).tolist() for k, shape in spec(input_size, hidden_size)}
    d = {"cell": cell, "reference": "equations in 'convention'", "convention": convention(zoneout),
         "input_size": input_size, "hidden_size": hidden_size, "num_layers": 1, "bidirectional": False,
         "seq_len": seq_len, "batch": batch}
    if cell == "zoneout-gru-eval":
        d["zoneout"] = zoneout
    d.update({"layout": EQUATION_LAYOUT, "x": x.tolist(), "h0": h0.tolist(),
              "loss_weights": {"output": w_out.tolist(), "h_n": w_hn.tolist()}, "params": params})
    d["expected"] = compute_equation(d)
    return d


# --------------------------------------------------------------------------------------------
# The vanishing-gradient curve fixture (format of gru-grad-h-norm.json)


def compute_curve(d):
    assert d["h0"] == "zeros" and d["loss"] == "sum(h_T * w)"
    cell = torch.nn.GRUCell(d["input_size"], d["hidden_size"])
    assert [k for k, _ in cell.named_parameters()] == list(d["params"].keys())
    with torch.no_grad():
        for k, v in d["params"].items():
            getattr(cell, k).copy_(torch.tensor(v))
    x = torch.tensor(d["x"])
    h = torch.zeros(d["batch"], d["hidden_size"])
    hs = []
    for t in range(x.shape[0]):
        h = cell(x[t], h)
        h.retain_grad()
        hs.append(h)
    loss = (h * torch.tensor(d["w"])).sum()
    loss.backward()
    return {"grad_h_norm": [ht.grad.norm().item() for ht in hs]}


def curve_fixture(input_size, hidden_size, seq_len, batch, seed):
    torch.manual_seed(seed)
    x = uniform((seq_len, batch, input_size), 1.0)
    w = uniform((batch, hidden_size), 1.0)
    cell = torch.nn.GRUCell(input_size, hidden_size)
    params = {k: uniform(tuple(p.shape), 0.6).tolist() for k, p in cell.named_parameters()}
    d = {"cell": "gru", "reference": "torch.nn.GRUCell", "input_size": input_size,
         "hidden_size": hidden_size, "seq_len": seq_len, "batch": batch, "x": x.tolist(),
         "h0": "zeros", "loss": "sum(h_T * w)", "w": w.tolist(), "params": params}
    d["expected"] = compute_curve(d)
    d["note"] = CURVE_NOTE
    return d


# --------------------------------------------------------------------------------------------
# Convolutional cells: convgru (format of ../shared/fixtures/parity-conv), convlstm, convrnn-tanh

CONV_GATES = {"convgru": 3, "convlstm": 4, "convrnn-tanh": 1}
CONV_LAYOUT = ("x: [seq_len][batch][channels][height][width]; h0/h_n: [num_layers*directions][batch]"
               "[hidden_channels][height][width]; output: [seq_len][batch][directions*hidden_channels]"
               "[height][width]")
CONV_CONVENTIONS = {
    "convgru": """ConvGRU (Ballas et al. 2016), gate order r, z, n, 'same' zero padding, stride 1, reset
applied to the state before the recurrent convolution:
  r = sig(conv(x, W_r) + b_ir + conv(h, U_r) + b_hr)
  z = sig(conv(x, W_z) + b_iz + conv(h, U_z) + b_hz)
  n = tanh(conv(x, W_n) + b_in + conv(r*h, U_n) + b_hn)
  h = (1 - z) * n + z * h
weight_ih [3*Ch][Cin][k][k] (rows r, z, n), weight_hh [3*Ch][Ch][k][k], bias_ih, bias_hh [3*Ch].""",
    "convlstm": """ConvLSTM (Shi et al. 2015) without peepholes, gate order i, f, g, o, 'same' zero padding,
stride 1, c0 = 0 unless given:
  i, f, o = sig(conv(x, W_.) + b_i. + conv(h, U_.) + b_h.);  g = tanh(conv(x, W_g) + b_ig + conv(h, U_g) + b_hg)
  c = f * c + i * g;  h = o * tanh(c)
weight_ih [4*Ch][Cin][k][k], weight_hh [4*Ch][Ch][k][k], bias_ih, bias_hh [4*Ch].""",
    "convrnn-tanh": """Convolutional tanh RNN, 'same' zero padding, stride 1:
  h = tanh(conv(x, W) + b_ih + conv(h, U) + b_hh)
weight_ih [Ch][Cin][k][k], weight_hh [Ch][Ch][k][k], bias_ih, bias_hh [Ch].""",
}


def conv_step(cell, p, sfx, x, h, c):
    F = torch.nn.functional
    pad = p["weight_ih" + sfx].shape[-1] // 2
    conv = lambda v, w: F.conv2d(v, w, padding=pad)
    xi = conv(x, p["weight_ih" + sfx]) + p["bias_ih" + sfx][None, :, None, None]
    bh = p["bias_hh" + sfx][None, :, None, None]
    whh = p["weight_hh" + sfx]
    if cell == "convrnn-tanh":
        return torch.tanh(xi + conv(h, whh) + bh), c
    if cell == "convlstm":
        i, f, g, o = (xi + conv(h, whh) + bh).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
    ch = h.shape[1]
    xr, xz, xn = xi.chunk(3, 1)
    hr, hz, _ = (conv(h, whh) + bh).chunk(3, 1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    n = torch.tanh(xn + conv(r * h, whh[2 * ch:]) + bh[:, 2 * ch:])
    return (1 - z) * n + z * h, c


def conv_param_names(layers, bidirectional):
    """The fixture's parameter suffixes: none for one layer one way (the shared fixture's names),
    else PyTorch's _l<layer>[_reverse]."""
    if layers == 1 and not bidirectional:
        return [""]
    return [f"_l{l}" + r for l in range(layers) for r in ([""] + (["_reverse"] if bidirectional else []))]


def compute_conv(d):
    cell, L, bidir = d["cell"], d["num_layers"], d["bidirectional"]
    D = 2 if bidir else 1
    p = {k: torch.tensor(v).requires_grad_() for k, v in d["params"].items()}
    x = torch.tensor(d["x"]).requires_grad_()
    h0 = torch.tensor(d["h0"]).requires_grad_()
    inputs, finals, hs = x, [], []
    for layer, sfxs in enumerate([conv_param_names(L, bidir)[i * D:(i + 1) * D] for i in range(L)]):
        outs = []
        for direction, sfx in enumerate(sfxs):
            h = h0[layer * D + direction]
            c = torch.zeros_like(h)
            seq = inputs if direction == 0 else inputs.flip(0)
            steps = []
            for t in range(seq.shape[0]):
                h, c = conv_step(cell, p, sfx, seq[t], h, c)
                h.retain_grad()
                steps.append(h)
            hs.append(steps)
            finals.append(h)
            out = torch.stack(steps)
            outs.append(out if direction == 0 else out.flip(0))
        inputs = torch.cat(outs, 2)
    h_n = torch.stack(finals)
    loss = ((inputs * torch.tensor(d["loss_weights"]["output"])).sum()
            + (h_n * torch.tensor(d["loss_weights"]["h_n"])).sum())
    loss.backward()
    grad = {k: v.grad.tolist() for k, v in p.items()}
    grad["x"] = x.grad.tolist()
    grad["h0"] = h0.grad.tolist()
    result = {"output": inputs.tolist(), "h_n": h_n.tolist(), "loss": loss.item(), "grad": grad}
    if L == 1 and not bidir:
        result["grad_h_norm"] = [ht.grad.norm().item() for ht in hs[0]]
    return result


def conv_fixture(cell, cin, ch, size, k, layers, bidirectional, seq_len, batch, seed):
    torch.manual_seed(seed)
    D = 2 if bidirectional else 1
    G = CONV_GATES[cell]
    x = uniform((seq_len, batch, cin, size, size), 1.0)
    h0 = uniform((layers * D, batch, ch, size, size), 1.0)
    w_out = uniform((seq_len, batch, D * ch, size, size), 1.0)
    w_hn = uniform((layers * D, batch, ch, size, size), 1.0)
    params = {}
    for i, sfx in enumerate(conv_param_names(layers, bidirectional)):
        layer_in = cin if i < D else D * ch
        for name, shape in [("weight_ih", (G * ch, layer_in, k, k)), ("weight_hh", (G * ch, ch, k, k)),
                            ("bias_ih", (G * ch,)), ("bias_hh", (G * ch,))]:
            params[name + sfx] = uniform(shape, 0.6 / k).tolist()
    d = {"cell": cell, "reference": "equations in 'convention' (torch.nn.functional.conv2d, float64)",
         "convention": CONV_CONVENTIONS[cell], "input_channels": cin, "hidden_channels": ch,
         "height": size, "width": size, "kernel_size": k, "num_layers": layers,
         "bidirectional": bidirectional, "seq_len": seq_len, "batch": batch, "layout": CONV_LAYOUT,
         "x": x.tolist(), "h0": h0.tolist(), "loss_weights": {"output": w_out.tolist(), "h_n": w_hn.tolist()},
         "params": params}
    d["expected"] = compute_conv(d)
    return d


# --------------------------------------------------------------------------------------------


def uniform(shape, bound):
    return torch.empty(shape).uniform_(-bound, bound)


def compute(d):
    if d["cell"] in CONV_GATES:
        return compute_conv(d)
    if d.get("reference") == "torch.nn.GRUCell":
        return compute_curve(d)
    if d["cell"] in EQUATIONS:
        return compute_equation(d)
    return compute_module(d)


def max_abs_diff(a, b, path="expected"):
    """Max abs difference between two nested structures; key sets and shapes must agree."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a.keys()) == list(b.keys()), (path, list(a), list(b))
        return max([max_abs_diff(a[k], b[k], f"{path}.{k}") for k in a] + [0.0])
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (path, "length")
        return max([max_abs_diff(u, v, path) for u, v in zip(a, b)] + [0.0])
    return abs(float(a) - float(b))


def verify(d):
    """Recompute d's expected values from d's inputs/params; return per-key max abs diffs."""
    got = compute(d)
    exp = d["expected"]
    assert list(got.keys()) == list(exp.keys()), (d["cell"], list(got), list(exp))
    diffs = {}
    for k in exp:
        if k == "grad":
            assert list(got[k].keys()) == list(exp[k].keys()), (list(got[k]), list(exp[k]))
            for g in exp[k]:
                diffs[f"grad.{g}"] = max_abs_diff(got[k][g], exp[k][g])
        else:
            diffs[k] = max_abs_diff(got[k], exp[k])
    return diffs


def self_check(check_dir):
    names = sorted(f for f in os.listdir(check_dir) if f.endswith(".json"))
    assert names, f"no fixtures in {check_dir}"
    # Cross-check the hand-written GRU cell (used by zoneout-gru-eval) against nn.GRUCell.
    torch.manual_seed(0)
    ref = torch.nn.GRUCell(3, 5)
    xx, hh = uniform((4, 3), 1.0), uniform((4, 5), 1.0)
    mine = torch_gru_cell(dict(ref.named_parameters()), xx, hh)
    assert (mine - ref(xx, hh)).abs().max().item() < TOL
    worst = 0.0
    for name in names:
        with open(os.path.join(check_dir, name)) as f:
            d = json.load(f)
        diffs = verify(d)
        m = max(diffs.values())
        worst = max(worst, m)
        print(f"  self-check {name:28s} max abs diff {m:.3e}  "
              f"({len(diffs)} compared: {', '.join(diffs)})")
        assert m < TOL, (name, {k: v for k, v in diffs.items() if v >= TOL})
    print(f"self-check OK: {len(names)} shared fixtures reproduced, worst max abs diff {worst:.3e}")


# name -> builder. Seeds are fixed per fixture; never reuse one.
FIXTURES = [
    ("gru-5x7-t9-n3.json", lambda: module_fixture("gru", 5, 7, 1, False, 9, 3, seed=101)),
    ("gru-3layer-2x3-t6-n4.json", lambda: module_fixture("gru", 2, 3, 3, False, 6, 4, seed=102)),
    ("gru-bidir-4x5-t7-n2.json", lambda: module_fixture("gru", 4, 5, 1, True, 7, 2, seed=103)),
    ("gru-2layer-bidir-1x3-t6-n1.json", lambda: module_fixture("gru", 1, 3, 2, True, 6, 1, seed=104)),
    ("lstm-6x10-t12-n3.json", lambda: module_fixture("lstm", 6, 10, 1, False, 12, 3, seed=201)),
    ("lstm-2layer-bidir-3x5-t6-n2.json", lambda: module_fixture("lstm", 3, 5, 2, True, 6, 2, seed=202)),
    ("rnn-tanh-5x6-t8-n3.json", lambda: module_fixture("rnn-tanh", 5, 6, 1, False, 8, 3, seed=301)),
    ("rnn-tanh-2layer-bidir-2x4-t6-n2.json", lambda: module_fixture("rnn-tanh", 2, 4, 2, True, 6, 2, seed=302)),
    ("rnn-relu-5x6-t8-n3.json", lambda: module_fixture("rnn-relu", 5, 6, 1, False, 8, 3, seed=401)),
    ("rnn-relu-2layer-bidir-2x4-t6-n2.json", lambda: module_fixture("rnn-relu", 2, 4, 2, True, 6, 2, seed=402)),
    ("d2l-gru-6x5-t11-n3.json", lambda: equation_fixture("d2l-gru", 6, 5, 11, 3, seed=501)),
    ("mingru-6x5-t11-n3.json", lambda: equation_fixture("mingru", 6, 5, 11, 3, seed=601)),
    ("cellstate-gru-6x5-t11-n3.json", lambda: equation_fixture("cellstate-gru", 6, 5, 11, 3, seed=701)),
    ("zoneout-gru-eval-p0.6-4x6-t8-n3.json",
     lambda: equation_fixture("zoneout-gru-eval", 4, 6, 8, 3, seed=801, zoneout=0.6)),
    ("gru-grad-h-norm-3x16-t60-n2.json", lambda: curve_fixture(3, 16, 60, 2, seed=901)),
    ("convgru-2x3-6px-k5-t4-n2.json", lambda: conv_fixture("convgru", 2, 3, 6, 5, 1, False, 4, 2, seed=1001)),
    ("convgru-2layer-bidir-1x2-4px-k3-t4-n2.json",
     lambda: conv_fixture("convgru", 1, 2, 4, 3, 2, True, 4, 2, seed=1002)),
    ("convgru-2x3-5px-k1-t6-n3.json", lambda: conv_fixture("convgru", 2, 3, 5, 1, 1, False, 6, 3, seed=1003)),
    ("convlstm-2x3-5px-k3-t5-n2.json", lambda: conv_fixture("convlstm", 2, 3, 5, 3, 1, False, 5, 2, seed=1101)),
    ("convlstm-2layer-bidir-1x2-4px-k3-t4-n2.json",
     lambda: conv_fixture("convlstm", 1, 2, 4, 3, 2, True, 4, 2, seed=1102)),
    ("convrnn-tanh-2x3-5px-k3-t6-n2.json",
     lambda: conv_fixture("convrnn-tanh", 2, 3, 5, 3, 1, False, 6, 2, seed=1201)),
]


def describe(d):
    if d["cell"] in CONV_GATES:
        return (f"C_in {d['input_channels']}, H_c {d['hidden_channels']}, {d['height']}x{d['width']}, "
                f"k {d['kernel_size']}, layers {d['num_layers']}, {'bidir' if d['bidirectional'] else 'unidir'}, "
                f"T {d['seq_len']}, N {d['batch']}")
    if d.get("reference") == "torch.nn.GRUCell":
        return f"I {d['input_size']}, H {d['hidden_size']}, T {d['seq_len']}, N {d['batch']}, curve"
    s = (f"I {d['input_size']}, H {d['hidden_size']}, layers {d['num_layers']}, "
         f"{'bidir' if d['bidirectional'] else 'unidir'}, T {d['seq_len']}, N {d['batch']}")
    return s + (f", p {d['zoneout']}" if "zoneout" in d else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument("--check-dir", default=DEFAULT_CHECK,
                    help="shared fixtures to reproduce before writing (default: %(default)s)")
    ap.add_argument("--no-self-check", action="store_true", help="skip reproducing --check-dir")
    args = ap.parse_args()

    if not args.no_self_check:
        self_check(args.check_dir)
        self_check(DEFAULT_CONV_CHECK)
    os.makedirs(args.out, exist_ok=True)
    for name, build in FIXTURES:
        d = build()
        text = json.dumps(d)  # same serialisation as the shared fixtures: one line, no newline
        path = os.path.join(args.out, name)
        with open(path, "w") as f:
            f.write(text)
        with open(path) as f:
            back = json.load(f)
        m = max(verify(back).values())
        assert m < TOL, (name, m)
        print(f"wrote {name:40s} {len(text) / 1024:6.1f} KB  {d['cell']:17s} {describe(d)}  "
              f"(re-verified, max abs diff {m:.1e})")
        assert len(text) < 200 * 1024, name
    return 0


if __name__ == "__main__":
    sys.exit(main())
