#!/usr/bin/env python3
"""The spnas supernet search step in Python TensorFlow, for the engine bench (bench/engine/train-step.ts).

Same network as src/nas/supernet.ts (shapes come from the spec JSON the TS bench writes: the space,
its layout, the relative-norm divisors, the runtime table, the search config), same step as
src/nas/train-step.ts createSearchStep:
  - superkernel per searchable layer: one 5x5 e6 depthwise kernel, nested indicators (kernel ring,
    upper channel half, lower half / skip) measured in the reference's order, hard step forward and
    sigmoid-derivative backward (tf.custom_gradient), channel mask folded into the depthwise BN's
    gamma/beta, project BN scaled by d50c where skip is allowed, searchable SE gated by its indicator;
  - training-mode BN as the fused native kernel (FusedBatchNormV3, its registered gradient
    FusedBatchNormGradV3), ReLU separate: the kernels tfjs-node runs;
  - loss CE (label smoothing) + 0.5 * wd * sum ||v||^2 (non-BN variables, thresholds included)
    + lambda * ln R (lambda on, i.e. after warm-up);
  - weight decay with tf.nn.l2_loss (native L2Loss, as the TS step's l2Penalty); RMSProp with the same
    formula as src/nas/rmsprop.ts through TF's fused ResourceApplyRMSProp kernel (one op per variable,
    what Keras' RMSprop runs);
  - BN moving statistics updated from the batch moments; loss, CE, R and indicators read back each step.
Modes: eager (every op dispatched from Python), graph (the whole step in one tf.function), and
graph-eigen (tf.function with the depthwise filter gradient on TF's Eigen kernel, as spnas runs it).

  python3 bench/engine/train_step_tf.py --spec spec.json [--steps 10]   # standalone: prints medians
  python3 bench/engine/train_step_tf.py --spec spec.json --serve        # driven by the TS bench

--serve protocol (stdin/stdout, one JSON object per line): prints a ready line, then for each line
'eager' | 'graph' | 'graph-eigen' runs one step of that mode and prints {"ms": wall, "cpuMs": process CPU} (timed
here, reading the loss included); 'ops' prints the number of ops per step; 'quit' exits.
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


@tf.custom_gradient
def hard_step(x):
    y = tf.cast(x >= 0, tf.float32)

    def grad(dy):
        s = tf.sigmoid(x)
        return dy * s * (1 - s)

    return y, grad


def group_norm(w):
    return tf.sqrt(tf.reduce_sum(tf.square(w)) + 1e-12)


class Net:
    """The supernet, or with `layers` (one op per searchable layer) a derived child of plain MBConv blocks."""

    def __init__(self, spec, layers=None):
        self.spec = spec
        self.child_layers = layers
        sp = spec["space"]
        self.sp = sp
        self.layout = spec["layout"]
        self.eps = sp["bn"]["epsilon"]
        self.momentum = sp["bn"]["momentum"]
        self.se = sp["search"]["se"]
        self.rng = np.random.default_rng(0)
        # True: the depthwise filter gradient on TF's Eigen kernel, as spnas does (see depthwise_eigen_filter_grad)
        self.eigen_dw = False
        self.trainable = {}
        self.state = {}
        self.empty = tf.constant([], tf.float32)
        add = self.add
        add("stem_conv/kernel", [3, 3, sp["inputChannels"], sp["stem"]["filters"]], "conv")
        self.create_bn("stem_bn", sp["stem"]["filters"])
        fb = sp["firstBlock"]
        self.fixed = [dict(name="b0", inC=sp["stem"]["filters"], outC=fb["out"], e=fb["expansion"], k=fb["kernel"], s=fb["stride"])]
        if sp.get("lastBlock"):
            lb = sp["lastBlock"]
            self.fixed.append(dict(name="blast", inC=self.layout["lastBlockInChannels"], outC=lb["out"], e=lb["expansion"], k=lb["kernel"], s=lb["stride"]))
        self.create_fixed(self.fixed[0])
        self.masks = []
        self.thresholds = []
        for l in self.layout["searchable"]:
            if layers is None:
                self.create_searchable(l)
            elif layers[l["index"]]["op"] != "skip":
                self.create_fixed(self.child_block(l))
        if len(self.fixed) > 1:
            self.create_fixed(self.fixed[1])
        add("head_conv/kernel", [1, 1, self.layout["headInChannels"], sp["head"]["filters"]], "conv")
        self.create_bn("head_bn", sp["head"]["filters"])
        add("head_dense/kernel", [sp["head"]["filters"], sp["numClasses"]], "dense")
        add("head_dense/bias", [sp["numClasses"]], "zeros")
        self.scales = [{k: tf.constant(v, tf.float32) for k, v in s.items()} for s in spec["normScales"]] if spec["normScales"] else None

    def add(self, name, shape, kind):
        if kind == "zeros":
            v = np.zeros(shape, np.float32)
        elif kind == "ones":
            v = np.ones(shape, np.float32)
        elif kind == "conv":  # normal, stddev sqrt(2 / fan_out)
            fan_out = int(np.prod(shape[:-2])) * shape[-1]
            v = self.rng.normal(0, np.sqrt(2.0 / fan_out), shape).astype(np.float32)
        else:  # glorot uniform
            lim = np.sqrt(6.0 / (shape[0] + shape[1]))
            v = self.rng.uniform(-lim, lim, shape).astype(np.float32)
        var = tf.Variable(v, name=name.replace("/", "__"))
        self.trainable[name] = var
        return var

    def create_bn(self, prefix, c):
        self.add(f"{prefix}/gamma", [c], "ones")
        self.add(f"{prefix}/beta", [c], "zeros")
        self.state[f"{prefix}/moving_mean"] = tf.Variable(tf.zeros([c]), trainable=False)
        self.state[f"{prefix}/moving_variance"] = tf.Variable(tf.ones([c]), trainable=False)

    def child_block(self, l):
        op = self.child_layers[l["index"]]
        se = self.spec["seChannels"][l["index"]] if op.get("se") else 0
        return dict(name=f"l{l['index'] + 1}", inC=l["inChannels"], outC=l["outChannels"], e=op["expansion"], k=op["kernel"], s=l["stride"], se=se)

    def create_fixed(self, b):
        mid = b["inC"] * b["e"]
        if b["e"] != 1:
            self.add(f"{b['name']}_expand_conv/kernel", [1, 1, b["inC"], mid], "conv")
            self.create_bn(f"{b['name']}_expand_bn", mid)
        self.add(f"{b['name']}_dw_conv/depthwise_kernel", [b["k"], b["k"], mid, 1], "conv")
        self.create_bn(f"{b['name']}_dw_bn", mid)
        if b.get("se"):
            self.add(f"{b['name']}_se_reduce/kernel", [1, 1, mid, b["se"]], "conv")
            self.add(f"{b['name']}_se_reduce/bias", [b["se"]], "zeros")
            self.add(f"{b['name']}_se_expand/kernel", [1, 1, b["se"], mid], "conv")
            self.add(f"{b['name']}_se_expand/bias", [mid], "zeros")
        self.add(f"{b['name']}_project_conv/kernel", [1, 1, mid, b["outC"]], "conv")
        self.create_bn(f"{b['name']}_project_bn", b["outC"])

    def create_searchable(self, l):
        n = f"l{l['index'] + 1}"
        mid = l["maxExpandedChannels"]
        self.add(f"{n}_expand_conv/kernel", [1, 1, l["inChannels"], mid], "conv")
        self.create_bn(f"{n}_expand_bn", mid)
        self.add(f"{n}_dw_conv/depthwise_kernel", [5, 5, mid, 1], "conv")
        self.create_bn(f"{n}_dw_bn", mid)
        if self.se:
            r = self.spec["seChannels"][l["index"]]
            self.add(f"{n}_se_reduce/kernel", [1, 1, mid, r], "conv")
            self.add(f"{n}_se_reduce/bias", [r], "zeros")
            self.add(f"{n}_se_expand/kernel", [1, 1, r, mid], "conv")
            self.add(f"{n}_se_expand/bias", [mid], "zeros")
        self.add(f"{n}_project_conv/kernel", [1, 1, mid, l["outChannels"]], "conv")
        self.create_bn(f"{n}_project_bn", l["outChannels"])
        # as src/nas/supernet.ts: a t50c threshold only where skip is allowed (elsewhere d50c is pinned to 1)
        t = {k: self.add(f"{n}/{k}", [], "zeros") for k in (["t5x5"] + (["t50c"] if l["skipAllowed"] else []) + ["t100c"] + (["tse"] if self.se else []))}
        self.thresholds.append(t)
        ring = np.zeros([5, 5, 1, 1], np.float32)
        ring[[0, 4], :, 0, 0] = 1
        ring[:, [0, 4], 0, 0] = 1
        lower = (np.arange(mid) < mid // 2).astype(np.float32)
        self.masks.append(dict(
            m5=tf.constant(ring), m3=tf.constant(1 - ring),
            m50=tf.constant(lower.reshape(1, 1, mid, 1)), m100=tf.constant((1 - lower).reshape(1, 1, mid, 1)),
            h50=tf.constant(lower), h100=tf.constant(1 - lower)))

    # --- forward pieces ---
    def bn(self, x, prefix, relu, scale, stats):
        g = self.trainable[f"{prefix}/gamma"]
        b = self.trainable[f"{prefix}/beta"]
        if scale is not None:
            g = g * scale
            b = b * scale
        y, mean, var, _, _, _ = tf.raw_ops.FusedBatchNormV3(x=x, scale=g, offset=b, mean=self.empty, variance=self.empty, epsilon=self.eps, data_format="NHWC", is_training=True)
        stats.append((prefix, mean, var))
        return tf.nn.relu(y) if relu else y

    def conv(self, x, name, stride):
        return tf.nn.conv2d(x, self.trainable[f"{name}/kernel"], stride, "SAME")

    def conv_bn_relu(self, x, prefix, stride, stats):
        return self.bn(self.conv(x, f"{prefix}_conv", stride), f"{prefix}_bn", True, None, stats)

    def depthwise(self, x, w, stride):
        if self.eigen_dw:
            return depthwise_eigen_filter_grad(x, w, stride)
        return tf.nn.depthwise_conv2d(x, w, [1, stride, stride, 1], "SAME")

    def se_scale(self, h, n):
        _, hh, ww, c = h.shape
        wr = self.trainable[f"{n}_se_reduce/kernel"]
        r = wr.shape[3]
        pooled = tf.reshape(tf.nn.avg_pool2d(h, [hh, ww], 1, "VALID"), [-1, c])
        z = tf.nn.relu(tf.matmul(pooled, tf.reshape(wr, [c, r])) + self.trainable[f"{n}_se_reduce/bias"])
        s = tf.sigmoid(tf.matmul(z, tf.reshape(self.trainable[f"{n}_se_expand/kernel"], [r, c])) + self.trainable[f"{n}_se_expand/bias"])
        return tf.reshape(s, [-1, 1, 1, c])

    def fixed_block(self, x, b, stats):
        h = self.conv_bn_relu(x, f"{b['name']}_expand", 1, stats) if b["e"] != 1 else x
        h = self.depthwise(h, self.trainable[f"{b['name']}_dw_conv/depthwise_kernel"], b["s"])
        h = self.bn(h, f"{b['name']}_dw_bn", True, None, stats)
        if b.get("se"):
            h = h * self.se_scale(h, b["name"])
        h = self.bn(self.conv(h, f"{b['name']}_project_conv", 1), f"{b['name']}_project_bn", False, None, stats)
        return x + h if b["s"] == 1 and b["inC"] == b["outC"] else h

    def searchable(self, x, l, stats):
        i = l["index"]
        n = f"l{i + 1}"
        t = self.thresholds[i]
        m = self.masks[i]
        sc = self.scales[i] if self.scales else None
        rel = (lambda v, k: v / sc[k]) if sc else (lambda v, k: v)
        w = self.trainable[f"{n}_dw_conv/depthwise_kernel"]
        w3 = w * m["m3"]
        w5 = w * m["m5"]
        d5 = hard_step(rel(group_norm(w5), "s5x5") - t["t5x5"])
        wk = w3 + d5 * w5
        wk100 = wk * m["m100"]
        d100 = hard_step(rel(group_norm(wk100), "s100c") - t["t100c"])
        wk50 = wk * m["m50"]
        d50 = hard_step(rel(group_norm(wk50), "s50c") - t["t50c"]) if l["skipAllowed"] else tf.constant(1.0)
        kernel = d50 * (wk50 + d100 * wk100)
        cmask = d50 * (m["h50"] + d100 * m["h100"])
        h = self.conv_bn_relu(x, f"{n}_expand", 1, stats)
        h = self.depthwise(h, kernel, l["stride"])
        h = self.bn(h, f"{n}_dw_bn", True, cmask, stats)
        dse = tf.constant(1.0)
        if self.se:
            dse = hard_step(rel(group_norm(self.trainable[f"{n}_se_reduce/kernel"]), "sse") - t["tse"])
            h = h * (1 + dse * (self.se_scale(h, n) - 1))
        h = self.bn(self.conv(h, f"{n}_project_conv", 1), f"{n}_project_bn", False, d50 if l["skipAllowed"] else None, stats)
        return (x + h if l["residual"] else h), (d5, d50, d100, dse)

    def forward(self, x, dropout_seed):
        sp = self.sp
        stats = []
        h = self.conv_bn_relu(x, "stem", sp["stem"]["stride"], stats)
        h = self.fixed_block(h, self.fixed[0], stats)
        inds = []
        for l in self.layout["searchable"]:
            if self.child_layers is None:
                h, d = self.searchable(h, l, stats)
                inds.append(d)
            elif self.child_layers[l["index"]]["op"] != "skip":
                h = self.fixed_block(h, self.child_block(l), stats)
        if len(self.fixed) > 1:
            h = self.fixed_block(h, self.fixed[1], stats)
        h = self.conv_bn_relu(h, "head", 1, stats)
        f = tf.reshape(tf.nn.avg_pool2d(h, [h.shape[1], h.shape[2]], 1, "VALID"), [-1, h.shape[3]])
        if sp["head"]["dropout"] > 0:
            f = tf.nn.experimental.stateless_dropout(f, sp["head"]["dropout"], seed=dropout_seed)
        logits = tf.matmul(f, self.trainable["head_dense/kernel"]) + self.trainable["head_dense/bias"]
        return logits, inds, stats


def same_pads(size, k, stride):
    total = max((-(-size // stride) - 1) * stride + k - size, 0)
    return [total // 2, total - total // 2]


def depthwise_eigen_filter_grad(x, w, stride):
    """Depthwise 'same' conv whose filter gradient passes the padding as EXPLICIT, which keeps TF's
    Eigen kernel instead of the oneDNN rewrite: the trick spnas's depthwiseConv2dTrain uses
    (src/backend/native-ops.ts), offered here so the comparison can give Python the same kernel."""
    strides = [1, stride, stride, 1]

    @tf.custom_gradient
    def f(xi, wi):
        def grad(dy):
            _, h, wd, _ = xi.shape
            k = wi.shape[0]
            pads = [0, 0] + same_pads(h, k, stride) + same_pads(wd, k, stride) + [0, 0]
            dx = tf.raw_ops.DepthwiseConv2dNativeBackpropInput(input_sizes=tf.shape(xi), filter=wi, out_backprop=dy, strides=strides, padding="SAME")
            dw = tf.raw_ops.DepthwiseConv2dNativeBackpropFilter(input=xi, filter_sizes=tf.shape(wi), out_backprop=dy, strides=strides, padding="EXPLICIT", explicit_paddings=pads)
            return dx, dw

        return tf.nn.depthwise_conv2d(xi, wi, strides, "SAME"), grad

    return f(x, w)


def runtime(table, inds):
    terms = [tf.constant(table["fixedMs"], tf.float32)]
    for L, (d5, d50, d100, dse) in zip(table["layers"], inds):
        rho = L["k3e6"] / L["k5e6"]
        rc = d50 * (L["k5e3"] + d100 * (L["k5e6"] - L["k5e3"]))
        terms.append(rc * rho + rc * (1 - rho) * d5)
        if L.get("se"):
            terms.append(dse * d50 * (L["se"]["e3"] + d100 * (L["se"]["e6"] - L["se"]["e3"])))
    return tf.add_n(terms)


class Step:
    def __init__(self, spec):
        self.net = Net(spec)
        cfg = spec["config"]
        self.cfg = cfg
        o = cfg["optimizer"]
        self.decay, self.mom_c, self.opt_eps = o["decay"], o["momentum"], o["epsilon"]
        self.names = list(self.net.trainable)
        self.vars = [self.net.trainable[k] for k in self.names]
        thr = {f"l{i + 1}/{k}" for i, t in enumerate(self.net.thresholds) for k in t}
        self.lr_mult = [cfg["thresholdLrMultiplier"] if k in thr else 1.0 for k in self.names]
        self.decayed = [self.net.trainable[k] for k in self.names if "_bn/" not in k]
        self.ms = [tf.Variable(tf.fill(v.shape, float(o["msInit"])), trainable=False) for v in self.vars]
        self.mom = [tf.Variable(tf.zeros(v.shape), trainable=False) for v in self.vars]
        self.lam = float(cfg["runtimeLoss"]["lambda"])
        self.graph_step = tf.function(self.step)
        self.graph_step_eigen = tf.function(self.step)  # traced with net.eigen_dw = True

    def step(self, x, y, lr, seed):
        net, cfg = self.net, self.cfg
        with tf.GradientTape() as tape:
            logits, inds, stats = net.forward(x, seed)
            ls = cfg["labelSmoothing"]
            ysm = y * (1 - ls) + ls / net.sp["numClasses"]
            ce = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=ysm, logits=logits))
            r = runtime(self.net.spec["table"], inds)
            wd = cfg["weightDecay"] * tf.add_n([tf.nn.l2_loss(v) for v in self.decayed])
            total = ce + wd + self.lam * tf.math.log(r)
        grads = tape.gradient(total, self.vars)
        # the same RMSProp formula as src/nas/rmsprop.ts, as TF's fused kernel (one op per variable):
        # ms <- decay*ms + (1-decay)*g^2; mom <- momentum*mom + lr*g/sqrt(ms+eps); v <- v - mom
        for v, g, ms, mom, mult in zip(self.vars, grads, self.ms, self.mom, self.lr_mult):
            tf.raw_ops.ResourceApplyRMSProp(var=v.handle, ms=ms.handle, mom=mom.handle, lr=lr * mult, rho=self.decay, momentum=self.mom_c, epsilon=self.opt_eps, grad=g)
        m = net.momentum
        for prefix, mean, var in stats:
            mm = net.state[f"{prefix}/moving_mean"]
            mv = net.state[f"{prefix}/moving_variance"]
            mm.assign(mm * m + mean * (1 - m))
            mv.assign(mv * m + var * (1 - m))
        return tf.stack([total, ce, r] + [d for ds in inds for d in ds])


class ChildStep:
    """A derived child's retraining step (the `fast` recipe: CE with label smoothing + weight decay on
    non-BN weights, SGD with Nesterov momentum as TF's fused ResourceApplyKerasMomentum, one op per
    variable, what Keras' SGD(nesterov=True) runs; BN moving statistics), as one tf.function."""

    def __init__(self, spec, child):
        self.net = Net(spec, child["layers"])
        self.cfg = child["config"]
        self.lr = self.cfg["optimizer"]["lrPer256"] * child["batch"] / 256
        self.vars = list(self.net.trainable.values())
        self.decayed = [v for k, v in self.net.trainable.items() if "_bn/" not in k]
        self.accum = [tf.Variable(tf.zeros(v.shape), trainable=False) for v in self.vars]
        self.graph_step = tf.function(self.step)

    def step(self, x, y, lr, seed):
        net, cfg = self.net, self.cfg
        with tf.GradientTape() as tape:
            logits, _, stats = net.forward(x, seed)
            ls = cfg["labelSmoothing"]
            ysm = y * (1 - ls) + ls / net.sp["numClasses"]
            ce = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=ysm, logits=logits))
            total = ce + cfg["weightDecay"] * tf.add_n([tf.nn.l2_loss(v) for v in self.decayed])
        grads = tape.gradient(total, self.vars)
        m = cfg["optimizer"]["momentum"]
        for v, g, a in zip(self.vars, grads, self.accum):
            tf.raw_ops.ResourceApplyKerasMomentum(var=v.handle, accum=a.handle, lr=lr, grad=g, momentum=m, use_nesterov=True)
        bm = net.momentum
        for prefix, mean, var in stats:
            mm = net.state[f"{prefix}/moving_mean"]
            mv = net.state[f"{prefix}/moving_variance"]
            mm.assign(mm * bm + mean * (1 - bm))
            mv.assign(mv * bm + var * (1 - bm))
        return tf.reshape(total, [1])


def network_info(net, x, seed):
    logits = net.forward(x, seed)[0]
    return {"params": int(sum(int(np.prod(v.shape)) for v in net.trainable.values())), "logits": list(logits.shape)}


def load_batch(spec, data=None, batch=None):
    sp = spec["space"]
    b = batch or spec["batch"]
    raw = open(data or spec["data"], "rb").read()
    n_img = b * sp["inputSize"] * sp["inputSize"] * sp["inputChannels"]
    images = np.frombuffer(raw[: 4 * n_img], np.float32).reshape(b, sp["inputSize"], sp["inputSize"], sp["inputChannels"])
    labels = np.frombuffer(raw[4 * n_img:], np.int32)
    return images, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--inter-op", type=int, default=None, help="inter-op threads (default: TF's)")
    ap.add_argument("--intra-op", type=int, default=None, help="intra-op threads (default: TF's)")
    ap.add_argument("--no-grappler", action="store_true", help="tf.function without graph optimisations")
    ap.add_argument("--warm", default="graph,graph-eigen,eager", help="supernet modes to trace and warm up before ready (others on first use)")
    args = ap.parse_args()
    if args.inter_op is not None:
        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op)
    if args.intra_op is not None:
        tf.config.threading.set_intra_op_parallelism_threads(args.intra_op)
    if args.no_grappler:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    spec = json.load(open(args.spec))
    images, labels = load_batch(spec)
    nc = spec["space"]["numClasses"]
    cfg = spec["config"]
    st = Step(spec)
    lr = cfg["optimizer"]["lrPer256"] * spec["batch"] / 256
    counter = [0]

    def run(mode):
        # like the TS step: the batch enters as host data every step, the monitor is read back
        t0 = time.perf_counter()
        c0 = time.process_time()
        x = tf.constant(images)
        y = tf.one_hot(tf.constant(labels), nc)
        seed = tf.constant([counter[0], 2], tf.int32)
        counter[0] += 1
        st.net.eigen_dw = mode == "graph-eigen"
        f = {"graph": st.graph_step, "graph-eigen": st.graph_step_eigen, "eager": st.step}[mode]
        # eager: lr as a Python float (lr * multiplier is computed in Python, as the TS step does in JS)
        out = f(x, y, lr if mode == "eager" else tf.constant(lr, tf.float32), seed).numpy()
        ms = (time.perf_counter() - t0) * 1e3
        cpu_ms = (time.process_time() - c0) * 1e3
        if not np.isfinite(out[0]):
            raise RuntimeError(f"non-finite loss in {mode} mode")
        return ms, cpu_ms

    children = {}
    networks = {"supernet": network_info(st.net, tf.constant(images), tf.constant([0, 2], tf.int32))}
    for c in spec.get("children", []):
        cs = ChildStep(spec, c)
        ci, cl = load_batch(spec, c["data"], c["batch"])
        children[f"child-graph:{c['name']}"] = (cs, ci, cl)
        networks[f"child:{c['name']}"] = network_info(cs.net, tf.constant(ci), tf.constant([0, 2], tf.int32))

    def run_child(name):
        cs, ci, cl = children[name]
        t0 = time.perf_counter()
        c0 = time.process_time()
        seed = tf.constant([counter[0], 2], tf.int32)
        counter[0] += 1
        out = cs.graph_step(tf.constant(ci), tf.one_hot(tf.constant(cl), nc), tf.constant(cs.lr, tf.float32), seed).numpy()
        ms = (time.perf_counter() - t0) * 1e3
        cpu_ms = (time.process_time() - c0) * 1e3
        if not np.isfinite(out[0]):
            raise RuntimeError(f"non-finite loss in {name}")
        return ms, cpu_ms

    # trace the graph and warm both modes up before reporting ready
    warm = [m for m in args.warm.split(",") if m]
    for mode in warm + [m for m in warm if m != "eager"]:
        run(mode)
    for name in children:
        run_child(name)
        run_child(name)
    info = {
        "ready": True,
        "tensorflow": tf.__version__,
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
        "interOpThreads": tf.config.threading.get_inter_op_parallelism_threads(),
        "cpuCount": os.cpu_count(),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
        "variables": len(st.vars),
        "networks": networks,
    }
    if not args.serve:
        times = {"eager": [], "graph": [], "graph-eigen": []}
        for _ in range(args.steps):
            for mode in times:
                times[mode].append(run(mode)[0])
        print(json.dumps({**info, **{f"{k}MedianMs": statistics.median(v) for k, v in times.items()}}))
        return
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        try:
            if cmd in ("eager", "graph", "graph-eigen"):
                ms, cpu_ms = run(cmd)
                print(json.dumps({"ms": ms, "cpuMs": cpu_ms}), flush=True)
            elif cmd in children:
                ms, cpu_ms = run_child(cmd)
                print(json.dumps({"ms": ms, "cpuMs": cpu_ms}), flush=True)
            elif cmd == "ops":
                print(json.dumps({"py-eager": count_step_ops(st, images, labels, nc, lr)}), flush=True)
            elif cmd == "quit":
                break
        except Exception as e:  # report, let the driver decide
            print(json.dumps({"error": repr(e)}), flush=True)


def count_step_ops(st, images, labels, nc, lr):
    """Ops of one step as the eager path dispatches them (a trace of the same Python, before graph
    optimisation), without placeholders, constants and variable reads."""
    fn = tf.function(st.step, autograph=False)
    g = fn.get_concrete_function(tf.constant(images), tf.one_hot(tf.constant(labels), nc), tf.constant(lr, tf.float32), tf.constant([0, 2], tf.int32)).graph
    return len([op for op in g.get_operations() if op.type not in ("Placeholder", "Const", "NoOp", "ReadVariableOp", "Identity")])


if __name__ == "__main__":
    main()
