#!/usr/bin/env python3
"""The spnas search step and a derived child's retraining step in PyTorch (CPU, eager), for the engine
bench (bench/engine/engines.ts). Written from the architecture, not converted:

  - supernet (src/nas/supernet.ts): stem conv-BN-ReLU, the fixed first block, one superkernel MBConv
    per searchable layer (1x1 expand at e6 width, one 5x5 e6 depthwise kernel, nested indicators with
    a hard step forward and the sigmoid derivative backward, channel mask folded into the depthwise
    BN's gamma/beta, searchable SE gated by its indicator, project BN scaled by d50c where skip is
    allowed), head conv-BN-ReLU, global pool, dropout, dense; loss CE with label smoothing + weight
    decay + lambda * ln R; RMSProp with momentum (torch.optim.RMSprop: same cost, eps inside the sqrt
    in spnas and outside here);
  - child (src/nas/child-net.ts): the same backbone with plain MBConv blocks (expand 1x1, kxk
    depthwise, BN+ReLU after each, optional SE: pool, 1x1 reduce + ReLU, 1x1 expand + sigmoid, scale;
    project 1x1 + BN, residual when stride 1 and in == out), trained with the `fast` recipe: SGD with
    Nesterov momentum, weight decay on non-BN weights, label smoothing.

BN is torch's (training mode: batch moments, running statistics updated in the same call). Shapes
come from the spec JSON the TS bench writes; the ready line reports each network's trainable
parameter count and logits shape, which the bench checks against the spnas networks.

--serve protocol (stdin/stdout, one JSON object per line): a ready line, then per line a variant name
('supernet', 'child:<name>') runs one step and prints {"ms": wall, "cpuMs": process CPU} (timed here,
from the host batch to reading the loss back); 'quit' exits. --channels-last runs every network in
torch's channels_last memory format (NHWC, what oneDNN prefers for depthwise convolutions).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


class HardStep(torch.autograd.Function):
    """1(x >= 0) forward, sigmoid'(x) backward (the straight-through surrogate of src/nas/indicator.ts)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return dy * s * (1 - s)


def group_norm(w):
    return torch.sqrt(torch.sum(w * w) + 1e-12)


class Backbone(torch.nn.Module):
    """Parameters by spnas's weight names ('/' -> '__'), conv weights in torch's [out, in/groups, k, k]."""

    def __init__(self, spec, seed):
        super().__init__()
        self.spec = spec
        self.sp = spec["space"]
        self.layout = spec["layout"]
        self.eps = self.sp["bn"]["epsilon"]
        self.bn_momentum = 1 - self.sp["bn"]["momentum"]  # torch's convention
        self.gen = torch.Generator().manual_seed(seed)
        self.p = torch.nn.ParameterDict()
        self.running = {}

    def add(self, name, shape, kind):
        if kind == "zeros":
            t = torch.zeros(shape)
        elif kind == "ones":
            t = torch.ones(shape)
        else:  # normal, stddev sqrt(2 / fan_out) as spnas's conv initialiser
            fan_out = shape[0] * int(np.prod(shape[2:])) if len(shape) == 4 else shape[0]
            t = torch.randn(shape, generator=self.gen) * math.sqrt(2.0 / fan_out)
        self.p[name.replace("/", "__")] = torch.nn.Parameter(t)

    def w(self, name):
        return self.p[name.replace("/", "__")]

    def create_bn(self, prefix, c):
        self.add(f"{prefix}/gamma", [c], "ones")
        self.add(f"{prefix}/beta", [c], "zeros")
        self.running[prefix] = (torch.zeros(c), torch.ones(c))

    def create_mbconv(self, name, in_c, out_c, e, k, se_c):
        mid = in_c * e
        if e != 1:
            self.add(f"{name}_expand_conv/kernel", [mid, in_c, 1, 1], "conv")
            self.create_bn(f"{name}_expand_bn", mid)
        self.add(f"{name}_dw_conv/depthwise_kernel", [mid, 1, k, k], "conv")
        self.create_bn(f"{name}_dw_bn", mid)
        if se_c:
            self.add(f"{name}_se_reduce/kernel", [se_c, mid, 1, 1], "conv")
            self.add(f"{name}_se_reduce/bias", [se_c], "zeros")
            self.add(f"{name}_se_expand/kernel", [mid, se_c, 1, 1], "conv")
            self.add(f"{name}_se_expand/bias", [mid], "zeros")
        self.add(f"{name}_project_conv/kernel", [out_c, mid, 1, 1], "conv")
        self.create_bn(f"{name}_project_bn", out_c)

    def create_ends(self):
        sp = self.sp
        self.add("stem_conv/kernel", [sp["stem"]["filters"], sp["inputChannels"], 3, 3], "conv")
        self.create_bn("stem_bn", sp["stem"]["filters"])
        fb = sp["firstBlock"]
        self.first = dict(name="b0", in_c=sp["stem"]["filters"], out_c=fb["out"], e=fb["expansion"], k=fb["kernel"], s=fb["stride"])
        self.create_mbconv("b0", self.first["in_c"], fb["out"], fb["expansion"], fb["kernel"], 0)
        self.last = None
        if sp.get("lastBlock"):
            lb = sp["lastBlock"]
            self.last = dict(name="blast", in_c=self.layout["lastBlockInChannels"], out_c=lb["out"], e=lb["expansion"], k=lb["kernel"], s=lb["stride"])

    def create_head(self):
        sp = self.sp
        if self.last:
            b = self.last
            self.create_mbconv("blast", b["in_c"], b["out_c"], b["e"], b["k"], 0)
        self.add("head_conv/kernel", [sp["head"]["filters"], self.layout["headInChannels"], 1, 1], "conv")
        self.create_bn("head_bn", sp["head"]["filters"])
        self.add("head_dense/kernel", [sp["numClasses"], sp["head"]["filters"]], "conv")
        self.add("head_dense/bias", [sp["numClasses"]], "zeros")

    # --- forward pieces ---
    def bn(self, x, prefix, relu, scale=None):
        g = self.w(f"{prefix}/gamma")
        b = self.w(f"{prefix}/beta")
        if scale is not None:
            g = g * scale
            b = b * scale
        rm, rv = self.running[prefix]
        y = F.batch_norm(x, rm, rv, g, b, training=True, momentum=self.bn_momentum, eps=self.eps)
        return F.relu(y) if relu else y

    def conv(self, x, name, stride, k=1):
        return F.conv2d(x, self.w(f"{name}/kernel"), stride=stride, padding=k // 2)

    def conv_bn_relu(self, x, prefix, stride, k=1):
        return self.bn(self.conv(x, f"{prefix}_conv", stride, k), f"{prefix}_bn", True)

    def depthwise(self, x, w, stride):
        return F.conv2d(x, w, stride=stride, padding=w.shape[-1] // 2, groups=w.shape[0])

    def se_scale(self, h, n):
        s = F.adaptive_avg_pool2d(h, 1)
        s = F.relu(F.conv2d(s, self.w(f"{n}_se_reduce/kernel"), self.w(f"{n}_se_reduce/bias")))
        return torch.sigmoid(F.conv2d(s, self.w(f"{n}_se_expand/kernel"), self.w(f"{n}_se_expand/bias")))

    def plain_mbconv(self, x, name, in_c, out_c, e, k, s, se):
        h = self.conv_bn_relu(x, f"{name}_expand", 1) if e != 1 else x
        h = self.bn(self.depthwise(h, self.w(f"{name}_dw_conv/depthwise_kernel"), s), f"{name}_dw_bn", True)
        if se:
            h = h * self.se_scale(h, name)
        h = self.bn(self.conv(h, f"{name}_project_conv", 1), f"{name}_project_bn", False)
        return x + h if s == 1 and in_c == out_c else h

    def stem_and_first(self, x):
        h = self.conv_bn_relu(x, "stem", self.sp["stem"]["stride"], 3)
        b = self.first
        return self.plain_mbconv(h, b["name"], b["in_c"], b["out_c"], b["e"], b["k"], b["s"], False)

    def last_and_head(self, h):
        if self.last:
            b = self.last
            h = self.plain_mbconv(h, b["name"], b["in_c"], b["out_c"], b["e"], b["k"], b["s"], False)
        h = self.conv_bn_relu(h, "head", 1)
        f = torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)
        if self.sp["head"]["dropout"] > 0:
            f = F.dropout(f, self.sp["head"]["dropout"], training=True)
        return F.linear(f, self.w("head_dense/kernel"), self.w("head_dense/bias"))

    def decayed_and_bn(self):
        decayed = [p for n, p in self.p.items() if "_bn__" not in n]
        bn = [p for n, p in self.p.items() if "_bn__" in n]
        return decayed, bn


class Supernet(Backbone):
    def __init__(self, spec):
        super().__init__(spec, 0)
        self.create_ends()
        self.se = self.sp["search"]["se"]
        self.thresholds = []
        self.masks = []
        for l in self.layout["searchable"]:
            n = f"l{l['index'] + 1}"
            mid = l["maxExpandedChannels"]
            self.create_mbconv(n, l["inChannels"], l["outChannels"], 6, 5, spec["seChannels"][l["index"]] if self.se else 0)
            keys = ["t5x5"] + (["t50c"] if l["skipAllowed"] else []) + ["t100c"] + (["tse"] if self.se else [])
            for k in keys:
                self.add(f"{n}/{k}", [], "zeros")
            self.thresholds.append({k: self.w(f"{n}/{k}") for k in keys})
            ring = torch.zeros(1, 1, 5, 5)
            ring[..., [0, 4], :] = 1
            ring[..., :, [0, 4]] = 1
            lower = (torch.arange(mid) < mid // 2).float()
            self.masks.append(dict(m5=ring, m3=1 - ring, m50=lower.view(mid, 1, 1, 1), m100=(1 - lower).view(mid, 1, 1, 1), h50=lower, h100=1 - lower))
        self.create_head()
        self.scales = spec["normScales"] or None
        self.threshold_params = {id(p) for t in self.thresholds for p in t.values()}

    def searchable(self, x, l):
        i = l["index"]
        n = f"l{i + 1}"
        t = self.thresholds[i]
        m = self.masks[i]
        sc = self.scales[i] if self.scales else None
        rel = (lambda v, k: v / sc[k]) if sc else (lambda v, k: v)
        w = self.w(f"{n}_dw_conv/depthwise_kernel")
        w3 = w * m["m3"]
        w5 = w * m["m5"]
        d5 = HardStep.apply(rel(group_norm(w5), "s5x5") - t["t5x5"])
        wk = w3 + d5 * w5
        wk100 = wk * m["m100"]
        d100 = HardStep.apply(rel(group_norm(wk100), "s100c") - t["t100c"])
        wk50 = wk * m["m50"]
        d50 = HardStep.apply(rel(group_norm(wk50), "s50c") - t["t50c"]) if l["skipAllowed"] else torch.tensor(1.0)
        kernel = d50 * (wk50 + d100 * wk100)
        cmask = d50 * (m["h50"] + d100 * m["h100"])
        h = self.conv_bn_relu(x, f"{n}_expand", 1)
        h = self.bn(self.depthwise(h, kernel, l["stride"]), f"{n}_dw_bn", True, cmask)
        dse = torch.tensor(1.0)
        if self.se:
            dse = HardStep.apply(rel(group_norm(self.w(f"{n}_se_reduce/kernel")), "sse") - t["tse"])
            h = h * (1 + dse * (self.se_scale(h, n) - 1))
        h = self.bn(self.conv(h, f"{n}_project_conv", 1), f"{n}_project_bn", False, d50 if l["skipAllowed"] else None)
        return (x + h if l["residual"] else h), (d5, d50, d100, dse)

    def forward(self, x):
        h = self.stem_and_first(x)
        inds = []
        for l in self.layout["searchable"]:
            h, d = self.searchable(h, l)
            inds.append(d)
        return self.last_and_head(h), inds


class Child(Backbone):
    def __init__(self, spec, layers):
        super().__init__(spec, 0)
        self.create_ends()
        self.ops = layers
        for l, op in zip(self.layout["searchable"], layers):
            if op["op"] == "skip":
                continue
            se_c = spec["seChannels"][l["index"]] if op.get("se") else 0
            self.create_mbconv(f"l{l['index'] + 1}", l["inChannels"], l["outChannels"], op["expansion"], op["kernel"], se_c)
        self.create_head()

    def forward(self, x):
        h = self.stem_and_first(x)
        for l, op in zip(self.layout["searchable"], self.ops):
            if op["op"] == "skip":
                continue
            h = self.plain_mbconv(h, f"l{l['index'] + 1}", l["inChannels"], l["outChannels"], op["expansion"], op["kernel"], l["stride"], op.get("se", False))
        return self.last_and_head(h)


def runtime(table, inds):
    r = torch.tensor(float(table["fixedMs"]))
    for L, (d5, d50, d100, dse) in zip(table["layers"], inds):
        rho = L["k3e6"] / L["k5e6"]
        rc = d50 * (L["k5e3"] + d100 * (L["k5e6"] - L["k5e3"]))
        r = r + rc * rho + rc * (1 - rho) * d5
        if L.get("se"):
            r = r + dse * d50 * (L["se"]["e3"] + d100 * (L["se"]["e6"] - L["se"]["e3"]))
    return r


def load_batch(path, sp, b):
    raw = open(path, "rb").read()
    n = b * sp["inputSize"] * sp["inputSize"] * sp["inputChannels"]
    images = np.frombuffer(raw[: 4 * n], np.float32).reshape(b, sp["inputSize"], sp["inputSize"], sp["inputChannels"])
    return images.copy(), np.frombuffer(raw[4 * n :], np.int32).astype(np.int64)


class Runner:
    """One network, its optimizer and batch; step() is one training step."""

    def __init__(self, net, opt, batch, step_fn, channels_last):
        self.net, self.opt, self.step_fn = net, opt, step_fn
        self.images, self.labels = batch
        self.fmt = torch.channels_last if channels_last else torch.contiguous_format

    def step(self):
        # the host batch (NHWC float32, as the TS step gets it) enters every step; the loss is read back
        x = torch.from_numpy(self.images).permute(0, 3, 1, 2).contiguous(memory_format=self.fmt)
        y = torch.from_numpy(self.labels)
        self.opt.zero_grad(set_to_none=True)
        loss, monitor = self.step_fn(x, y)
        loss.backward()
        self.opt.step()
        return monitor.tolist()


def supernet_runner(spec, channels_last):
    net = Supernet(spec)
    cfg = spec["config"]
    o = cfg["optimizer"]
    lr = o["lrPer256"] * spec["batch"] / 256
    decayed, bn = net.decayed_and_bn()
    thr = [p for p in decayed if id(p) in net.threshold_params]
    weights = [p for p in decayed if id(p) not in net.threshold_params]
    common = dict(alpha=o["decay"], eps=o["epsilon"], momentum=o["momentum"])
    opt = torch.optim.RMSprop(
        [
            dict(params=weights, weight_decay=cfg["weightDecay"]),
            dict(params=thr, weight_decay=cfg["weightDecay"], lr=lr * cfg["thresholdLrMultiplier"]),
            dict(params=bn, weight_decay=0.0),
        ],
        lr=lr,
        **common,
    )
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
    lam = float(cfg["runtimeLoss"]["lambda"])

    def step_fn(x, y):
        logits, inds = net(x)
        ce = F.cross_entropy(logits, y, label_smoothing=cfg["labelSmoothing"])
        r = runtime(spec["table"], inds)
        total = ce + lam * torch.log(r)
        return total, torch.stack([total.detach(), ce.detach(), r.detach()] + [d.detach() for ds in inds for d in ds])

    return net, Runner(net, opt, load_batch(spec["data"], spec["space"], spec["batch"]), step_fn, channels_last)


def child_runner(spec, child, channels_last):
    net = Child(spec, child["layers"])
    cfg = child["config"]
    o = cfg["optimizer"]
    lr = o["lrPer256"] * child["batch"] / 256
    decayed, bn = net.decayed_and_bn()
    opt = torch.optim.SGD(
        [dict(params=decayed, weight_decay=cfg["weightDecay"]), dict(params=bn, weight_decay=0.0)],
        lr=lr,
        momentum=o["momentum"],
        nesterov=True,
    )
    if channels_last:
        net = net.to(memory_format=torch.channels_last)

    def step_fn(x, y):
        loss = F.cross_entropy(net(x), y, label_smoothing=cfg["labelSmoothing"])
        return loss, loss.detach().reshape(1)

    return net, Runner(net, opt, load_batch(child["data"], spec["space"], child["batch"]), step_fn, channels_last)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="intra-op threads (torch.set_num_threads)")
    ap.add_argument("--channels-last", action="store_true")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    spec = json.load(open(args.spec))
    runners = {}
    info_nets = {}
    nets = [("supernet", lambda: supernet_runner(spec, args.channels_last))] if spec.get("data") else []
    nets += [(f"child:{c['name']}", (lambda c=c: child_runner(spec, c, args.channels_last))) for c in spec.get("children", [])]
    for name, make in nets:
        net, runner = make()
        runners[name] = runner
        with torch.no_grad():
            x = torch.from_numpy(runner.images).permute(0, 3, 1, 2)
            out = net(x)
            logits = out[0] if isinstance(out, tuple) else out
        info_nets[name] = {"params": sum(p.numel() for p in net.parameters()), "logits": list(logits.shape)}

    def run(name):
        t0 = time.perf_counter()
        c0 = time.process_time()
        out = runners[name].step()
        ms = (time.perf_counter() - t0) * 1e3
        cpu_ms = (time.process_time() - c0) * 1e3
        if not np.isfinite(out[0]):
            raise RuntimeError(f"non-finite loss in {name}")
        return ms, cpu_ms

    for name in runners:  # warm up (oneDNN primitive caches, allocator)
        run(name)
        run(name)
    info = {
        "ready": True,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "channelsLast": args.channels_last,
        "cpuCount": os.cpu_count(),
        "networks": info_nets,
    }
    if not args.serve:
        for name in runners:
            times = sorted(run(name)[0] for _ in range(args.steps))
            info[f"{name} medianMs"] = times[len(times) // 2]
        print(json.dumps(info))
        return
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        try:
            if cmd in runners:
                ms, cpu_ms = run(cmd)
                print(json.dumps({"ms": ms, "cpuMs": cpu_ms}), flush=True)
            elif cmd == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {cmd!r}"}), flush=True)
        except Exception as e:  # report, let the driver decide
            print(json.dumps({"error": repr(e)}), flush=True)


if __name__ == "__main__":
    main()
