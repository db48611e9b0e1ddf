#!/usr/bin/python3
"""Writes the layer goldens that LayerGoldenTest compares fl4j's TensorFlow engine against.

Each case is a tiny fl4j model (layers, loss), weights and a batch drawn from a fixed seed, and what
PyTorch computes for them: the predictions, the batch's mean loss, and the gradient of that loss
with respect to every weight. PyTorch runs in float64 on the float32 weights and inputs, so the
goldens are a float32-independent reference. The Java test needs no Python: it reads the JSON files
this script writes into learning-tensorflow/src/test/resources/golden/layers/.

Run with Debian's PyTorch (apt-get install python3-torch), from the repository root:

    /usr/bin/python3 learning-tensorflow/src/test/golden/make_layer_goldens.py

Output is deterministic: running it again rewrites identical files.

File format (JSON, "format": "fl4j.layer_golden", "version": 1):
    name, about        the case's name and what it checks
    model              an fl4j.model_spec version 1 document (layers, loss, metrics)
    weights            [{"name": "dense/kernel", "shape": [...], "values": [...]}, ...] in the
                       model's weight order and fl4j's (Keras's) layout, values row-major
    x, y               the batch: {"dtype": "float32"|"int32", "shape": [...], "values": [...]}
    predictions        PyTorch's output of the last layer (inference mode), float32 row-major
    loss               PyTorch's mean loss over the batch
    gradients          [{"name", "shape", "values"}] d loss / d weight in fl4j's layout, or null for
                       a model whose training pass is random (dropout), where only inference is compared
Every float in weights, x and y is written so that parsing it as a double and rounding to float32
gives back exactly the float32 value PyTorch used (checked below).

Layout mapping between fl4j (Keras) and PyTorch, applied inside the PyTorch functions so that the
weights stay in fl4j's layout and their gradients come back in it:
    images         fl4j NHWC; PyTorch NCHW: x.permute(0, 3, 1, 2) in, .permute(0, 2, 3, 1) out
    Dense          kernel [in, out]; torch.nn.functional.linear takes weight [out, in] = kernel.T
    Conv2D         kernel [kh, kw, in, out]; conv2d takes [out, in, kh, kw] = kernel.permute(3, 2, 0, 1)
                   (both are cross-correlations)
    'same' padding TensorFlow pads total = max((ceil(n/s) - 1)·s + k − n, 0) per axis, total // 2
                   before and the rest after (asymmetric when total is odd); emulated with F.pad
                   (zeros for convolutions, −inf for max pooling). Average pooling with 'same'
                   divides by the number of real (unpadded) elements in each window, as TensorFlow
                   does: sum-pool of the zero-padded input over sum-pool of a padded ones mask.
    Embedding      embeddings [vocabulary, dim]: F.embedding takes the same matrix
    LSTM           Keras: kernel [in, 4u], recurrent_kernel [u, 4u], bias [4u], gate blocks in the
                   order input, forget, cell, output. PyTorch: weight_ih [4u, in], weight_hh [4u, u],
                   bias_ih + bias_hh [4u], gates input, forget, cell ("g"), output: the same order, so
                   weight_ih = kernel.T, weight_hh = recurrent_kernel.T, bias_ih = bias, bias_hh = 0,
                   copied into torch.nn.LSTM, whose parameter gradients are transposed back.
                   Zero initial state; sigmoid gates and tanh cell activation in both.
    losses         SparseCategoricalCrossentropy(from_logits) = F.cross_entropy over all positions;
                   from probabilities = F.nll_loss(log p); BinaryCrossentropy(from_logits) =
                   F.binary_cross_entropy_with_logits; from probabilities = F.binary_cross_entropy
                   (Keras clips p to [1e-7, 1 − 1e-7] and adds 1e-7 inside the logs; the cases keep
                   p well inside (0.05, 0.95), where that changes values by less than 1e-6 relative);
                   MeanSquaredError = F.mse_loss; all means over every element.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "layers")
ZEROS = {"class_name": "Zeros"}
DT = torch.float64


# ---- fl4j layer configs (fl4j.model_spec version 1 fields)

def input_layer(shape, dtype="float32"):
    return {"class_name": "InputLayer", "shape": list(shape), "dtype": dtype}


def dense(units, activation="linear", use_bias=True):
    return {"class_name": "Dense", "units": units, "activation": activation, "use_bias": use_bias,
            "kernel_initializer": ZEROS, "bias_initializer": ZEROS}


def conv2d(filters, kernel, strides, padding, activation="linear", use_bias=True):
    return {"class_name": "Conv2D", "filters": filters, "kernel_size": list(kernel), "strides": list(strides),
            "padding": padding, "activation": activation, "use_bias": use_bias,
            "kernel_initializer": ZEROS, "bias_initializer": ZEROS}


def pooling(kind, pool, strides, padding):
    return {"class_name": kind, "pool_size": list(pool), "strides": list(strides), "padding": padding}


def flatten():
    return {"class_name": "Flatten"}


def lstm(units, return_sequences):
    return {"class_name": "LSTM", "units": units, "return_sequences": return_sequences,
            "kernel_initializer": ZEROS, "recurrent_initializer": ZEROS, "unit_forget_bias": False}


def embedding(vocabulary, dim):
    return {"class_name": "Embedding", "input_dim": vocabulary, "output_dim": dim, "embeddings_initializer": ZEROS}


def dropout(rate):
    return {"class_name": "Dropout", "rate": rate}


def softmax():
    return {"class_name": "Softmax"}


SPARSE_CE_LOGITS = {"class_name": "SparseCategoricalCrossentropy", "from_logits": True}
SPARSE_CE_PROBS = {"class_name": "SparseCategoricalCrossentropy", "from_logits": False}
BCE_LOGITS = {"class_name": "BinaryCrossentropy", "from_logits": True}
BCE_PROBS = {"class_name": "BinaryCrossentropy", "from_logits": False}
MSE = {"class_name": "MeanSquaredError"}


# ---- the same layers in PyTorch, weights in fl4j's layout

def tf_same_padding(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def pad_same(x_nchw, kernel, strides, value):
    top, bottom = tf_same_padding(x_nchw.shape[2], kernel[0], strides[0])
    left, right = tf_same_padding(x_nchw.shape[3], kernel[1], strides[1])
    return F.pad(x_nchw, (left, right, top, bottom), value=value)


def relu_away_from_zero(x):
    """ReLU whose inputs must keep clear of 0, where float32 rounding could flip the side and the gradient."""
    assert x.abs().min().item() > 1e-4, "a ReLU input is within 1e-4 of 0: pick another seed"
    return torch.relu(x)


def activate(name, x):
    return {"linear": lambda v: v, "relu": relu_away_from_zero, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "softmax": lambda v: torch.softmax(v, dim=-1)}[name](x)


def torch_layer(cfg, x, w):
    """The output of layer `cfg` on `x`, taking its weights from the front of the list `w`."""
    kind = cfg["class_name"]
    if kind == "Dense":
        kernel = w.pop(0)
        bias = w.pop(0) if cfg["use_bias"] else None
        return activate(cfg["activation"], F.linear(x, kernel.T, bias))
    if kind == "Conv2D":
        kernel = w.pop(0)
        bias = w.pop(0) if cfg["use_bias"] else None
        xs = nchw(x)
        if cfg["padding"] == "same":
            xs = pad_same(xs, cfg["kernel_size"], cfg["strides"], 0.0)
        y = F.conv2d(xs, kernel.permute(3, 2, 0, 1), bias, stride=cfg["strides"])
        return activate(cfg["activation"], nhwc(y))
    if kind == "MaxPooling2D":
        xs = nchw(x)
        if cfg["padding"] == "same":
            xs = pad_same(xs, cfg["pool_size"], cfg["strides"], -math.inf)
        return nhwc(F.max_pool2d(xs, cfg["pool_size"], cfg["strides"]))
    if kind == "AveragePooling2D":
        xs = nchw(x)
        if cfg["padding"] == "valid":
            return nhwc(F.avg_pool2d(xs, cfg["pool_size"], cfg["strides"]))
        ones = torch.ones_like(xs[:1, :1])
        sums = F.avg_pool2d(pad_same(xs, cfg["pool_size"], cfg["strides"], 0.0), cfg["pool_size"], cfg["strides"])
        counts = F.avg_pool2d(pad_same(ones, cfg["pool_size"], cfg["strides"], 0.0), cfg["pool_size"], cfg["strides"])
        return nhwc(sums / counts)
    if kind == "Flatten":
        return x.reshape(x.shape[0], -1)
    if kind == "Embedding":
        return F.embedding(x, w.pop(0))
    if kind == "Dropout":
        return F.dropout(x, cfg["rate"], training=False)
    if kind == "Softmax":
        return torch.softmax(x, dim=-1)
    if kind == "LSTM":
        kernel, recurrent, bias = w.pop(0), w.pop(0), w.pop(0)
        module = torch.nn.LSTM(x.shape[2], cfg["units"], batch_first=True, dtype=DT)
        with torch.no_grad():
            module.weight_ih_l0.copy_(kernel.T)
            module.weight_hh_l0.copy_(recurrent.T)
            module.bias_ih_l0.copy_(bias)
            module.bias_hh_l0.zero_()
        LSTM_GRADIENTS.append((module, kernel, recurrent, bias))
        out, (h, _) = module(x)
        return out if cfg["return_sequences"] else h[0]
    raise ValueError("no PyTorch translation for " + kind)


# nn.LSTM keeps its own parameters: after backward their gradients are moved to the fl4j-layout weights.
LSTM_GRADIENTS = []


def move_lstm_gradients():
    for module, kernel, recurrent, bias in LSTM_GRADIENTS:
        assert torch.allclose(module.bias_ih_l0.grad, module.bias_hh_l0.grad, rtol=1e-12, atol=1e-14)
        kernel.grad = module.weight_ih_l0.grad.T.clone()
        recurrent.grad = module.weight_hh_l0.grad.T.clone()
        bias.grad = module.bias_ih_l0.grad.clone()
    LSTM_GRADIENTS.clear()


def torch_loss(cfg, p, y):
    kind = cfg["class_name"]
    if kind == "SparseCategoricalCrossentropy":
        scores = p.reshape(-1, p.shape[-1])
        ids = y.reshape(-1)
        return F.cross_entropy(scores, ids) if cfg["from_logits"] else F.nll_loss(torch.log(scores), ids)
    if kind == "BinaryCrossentropy":
        return F.binary_cross_entropy_with_logits(p, y) if cfg["from_logits"] else F.binary_cross_entropy(p, y)
    if kind == "MeanSquaredError":
        return F.mse_loss(p, y)
    raise ValueError("no PyTorch translation for loss " + kind)


# ---- weight shapes, as fl4j derives them from the layers

def weight_specs(layers):
    """[(name, shape)] in fl4j's order and naming (Keras's automatic layer names)."""
    specs, counts = [], {}
    shape = list(layers[0]["shape"])
    base = {"Dense": "dense", "Conv2D": "conv2d", "LSTM": "lstm", "Embedding": "embedding"}
    for cfg in layers[1:]:
        kind = cfg["class_name"]
        name = None
        if kind in base:
            seen = counts.get(base[kind], 0)
            counts[base[kind]] = seen + 1
            name = base[kind] if seen == 0 else "%s_%d" % (base[kind], seen)
        if kind == "Dense":
            specs.append((name + "/kernel", [shape[-1], cfg["units"]]))
            if cfg["use_bias"]:
                specs.append((name + "/bias", [cfg["units"]]))
            shape = shape[:-1] + [cfg["units"]]
        elif kind == "Conv2D":
            kh, kw = cfg["kernel_size"]
            specs.append((name + "/kernel", [kh, kw, shape[2], cfg["filters"]]))
            if cfg["use_bias"]:
                specs.append((name + "/bias", [cfg["filters"]]))
            shape = spatial(shape, cfg["kernel_size"], cfg["strides"], cfg["padding"]) + [cfg["filters"]]
        elif kind in ("MaxPooling2D", "AveragePooling2D"):
            shape = spatial(shape, cfg["pool_size"], cfg["strides"], cfg["padding"]) + [shape[2]]
        elif kind == "Flatten":
            shape = [int(np.prod(shape))]
        elif kind == "Embedding":
            specs.append((name + "/embeddings", [cfg["input_dim"], cfg["output_dim"]]))
            shape = shape + [cfg["output_dim"]]
        elif kind == "LSTM":
            u = cfg["units"]
            specs += [(name + "/kernel", [shape[1], 4 * u]), (name + "/recurrent_kernel", [u, 4 * u]), (name + "/bias", [4 * u])]
            shape = [shape[0], u] if cfg["return_sequences"] else [u]
    return specs


def spatial(shape, window, strides, padding):
    out = []
    for n, k, s in zip(shape[:2], window, strides):
        out.append(-(-n // s) if padding == "same" else -(-(n - k + 1) // s))
    return out


# ---- writing

def floats(a):
    """Shortest decimal strings that read back (double, then float32) as exactly these float32 values."""
    a = np.asarray(a, dtype=np.float32).ravel()
    out = []
    for v in a:
        text = str(v)
        number = float(text)
        if np.float32(number) != v:
            raise AssertionError("%r does not read back as float32 %r" % (text, v))
        out.append(number)
    return out


def tensor_json(a, dtype="float32"):
    a = np.asarray(a)
    values = floats(a) if dtype == "float32" else [int(v) for v in a.ravel()]
    return {"dtype": dtype, "shape": list(a.shape), "values": values}


def named(name, a):
    return {"name": name, "shape": list(np.asarray(a).shape), "values": floats(a)}


def make_case(name, about, layers, loss, x, y, seed, weight_scale=0.5, compare_gradients=True, check=None):
    rng = np.random.default_rng(seed)
    weights = [(n, (rng.uniform(-1, 1, size=s) * weight_scale).astype(np.float32)) for n, s in weight_specs(layers)]
    leaves = [torch.tensor(v, dtype=DT, requires_grad=True) for _, v in weights]
    x_t = torch.tensor(x, dtype=DT) if x.dtype == np.float32 else torch.tensor(x, dtype=torch.long)
    y_t = torch.tensor(y, dtype=DT) if y.dtype == np.float32 else torch.tensor(y, dtype=torch.long)
    h = x_t
    remaining = list(leaves)
    for cfg in layers[1:]:
        h = torch_layer(cfg, h, remaining)
        if check is not None:
            check(cfg, h)
    assert not remaining, "weights left over: %d" % len(remaining)
    value = torch_loss(loss, h, y_t)
    value.backward()
    move_lstm_gradients()
    doc = {
        "format": "fl4j.layer_golden",
        "version": 1,
        "name": name,
        "about": about,
        "model": {"format": "fl4j.model_spec", "version": 1, "name": name, "layers": layers, "loss": loss,
                  "metrics": ["loss", "num_examples"]},
        "weights": [named(n, v) for n, v in weights],
        "x": tensor_json(x, "float32" if x.dtype == np.float32 else "int32"),
        "y": tensor_json(y, "float32" if y.dtype == np.float32 else "int32"),
        "predictions": tensor_json(h.detach().numpy().astype(np.float32)),
        "loss": floats([value.item()])[0],
        "gradients": [named(n, leaf.grad.numpy()) for (n, _), leaf in zip(weights, leaves)] if compare_gradients else None,
    }
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("%-28s %6d bytes  loss=%.6f" % (name, os.path.getsize(path), value.item()))


def probabilities_inside(low, high):
    def check(cfg, h):
        if cfg["class_name"] == "Softmax" or cfg.get("activation") in ("sigmoid", "softmax"):
            assert low < h.min().item() and h.max().item() < high, (cfg, h.min().item(), h.max().item())
    return check


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(11)

    def uniform(*shape):
        return rng.uniform(-1, 1, size=shape).astype(np.float32)

    def ids(high, *shape):
        return rng.integers(0, high, size=shape).astype(np.int32)

    make_case("dense_relu_mse", "Dense with ReLU then a linear Dense, mean squared error",
              [input_layer([5]), dense(4, "relu"), dense(3)], MSE, uniform(6, 5), uniform(6, 3), seed=1)
    make_case("dense_tanh_no_bias", "Dense with tanh and without bias, then a linear Dense, mean squared error",
              [input_layer([4]), dense(3, "tanh", use_bias=False), dense(2)], MSE, uniform(5, 4), uniform(5, 2), seed=2)
    make_case("conv2d_valid", "Conv2D 3x3, stride 1, valid padding, then Flatten and Dense",
              [input_layer([5, 6, 2]), conv2d(3, [3, 3], [1, 1], "valid", "tanh"), flatten(), dense(2)], MSE,
              uniform(2, 5, 6, 2), uniform(2, 2), seed=3)
    make_case("conv2d_same_stride2", "Conv2D 4x3, stride 2, same padding (asymmetric: 1 before and 2 after in height, "
              "0 and 1 in width), no bias",
              [input_layer([7, 6, 2]), conv2d(3, [4, 3], [2, 2], "same", use_bias=False), flatten(), dense(2)], MSE,
              uniform(2, 7, 6, 2), uniform(2, 2), seed=4)
    make_case("conv2d_same_stride1", "Conv2D 3x3, stride 1, same padding (1 on each side), sigmoid",
              [input_layer([4, 5, 1]), conv2d(2, [3, 3], [1, 1], "same", "sigmoid"), flatten(), dense(2)], MSE,
              uniform(2, 4, 5, 1), uniform(2, 2), seed=5)
    make_case("max_pooling_valid", "MaxPooling2D 2x2, stride 2, valid, behind a Conv2D whose gradient passes through it",
              [input_layer([6, 5, 2]), conv2d(3, [2, 2], [1, 1], "valid"), pooling("MaxPooling2D", [2, 2], [2, 2], "valid"),
               flatten(), dense(2)], MSE, uniform(2, 6, 5, 2), uniform(2, 2), seed=6)
    make_case("max_pooling_same", "MaxPooling2D 3x3, stride 2, same padding (1 before and 1 after on 7, 0 and 1 on 6)",
              [input_layer([7, 6, 2]), conv2d(2, [1, 1], [1, 1], "valid"), pooling("MaxPooling2D", [3, 3], [2, 2], "same"),
               flatten(), dense(2)], MSE, uniform(2, 7, 6, 2), uniform(2, 2), seed=7)
    make_case("average_pooling_valid", "AveragePooling2D 2x2, stride 2, valid, behind a Conv2D",
              [input_layer([5, 6, 2]), conv2d(3, [2, 2], [1, 1], "valid"), pooling("AveragePooling2D", [2, 2], [2, 2], "valid"),
               flatten(), dense(2)], MSE, uniform(2, 5, 6, 2), uniform(2, 2), seed=8)
    make_case("average_pooling_same", "AveragePooling2D 2x3, stride 2, same padding: edge windows average only real elements",
              [input_layer([5, 5, 2]), conv2d(2, [1, 1], [1, 1], "valid"), pooling("AveragePooling2D", [2, 3], [2, 2], "same"),
               flatten(), dense(2)], MSE, uniform(2, 5, 5, 2), uniform(2, 2), seed=9)
    make_case("embedding", "Embedding of int32 ids (repeated ids sum their gradients), then Flatten and Dense, softmax cross-entropy",
              [input_layer([4], "int32"), embedding(6, 3), flatten(), dense(3)], SPARSE_CE_LOGITS,
              np.array([[0, 2, 2, 5], [5, 1, 0, 2], [3, 3, 3, 1]], dtype=np.int32), ids(3, 3), seed=10)
    make_case("lstm_sequences", "LSTM returning sequences, a Dense per time step, softmax cross-entropy over every step",
              [input_layer([4, 3]), lstm(5, True), dense(3)], SPARSE_CE_LOGITS, uniform(2, 4, 3), ids(3, 2, 4), seed=11)
    make_case("lstm_last_step", "LSTM returning its last step, Dense, binary cross-entropy from logits",
              [input_layer([5, 2]), lstm(4, False), dense(2)], BCE_LOGITS, uniform(3, 5, 2),
              np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32), seed=12, weight_scale=0.8)
    make_case("embedding_lstm", "Embedding into an LSTM, the character model's shape, softmax cross-entropy per step",
              [input_layer([3], "int32"), embedding(5, 2), lstm(3, True), dense(5)], SPARSE_CE_LOGITS,
              ids(5, 2, 3), ids(5, 2, 3), seed=13)
    make_case("dropout_inference", "Dropout 0.5 between Dense layers: at inference the identity (training-mode gradients "
              "are random, so only inference is compared)",
              [input_layer([4]), dense(5, "tanh"), dropout(0.5), dense(2)], MSE, uniform(4, 4), uniform(4, 2), seed=14,
              compare_gradients=False)
    make_case("softmax_cross_entropy_logits", "sparse categorical cross-entropy from logits",
              [input_layer([4]), dense(5)], SPARSE_CE_LOGITS, uniform(6, 4), ids(5, 6), seed=15, weight_scale=1.5)
    make_case("softmax_cross_entropy_probabilities", "Softmax layer then sparse categorical cross-entropy from probabilities",
              [input_layer([4]), dense(3), softmax()], SPARSE_CE_PROBS, uniform(5, 4), ids(3, 5), seed=16,
              check=probabilities_inside(0.05, 0.95))
    make_case("binary_cross_entropy_logits", "binary cross-entropy from logits, hard and soft labels",
              [input_layer([3]), dense(2)], BCE_LOGITS, uniform(4, 3),
              np.array([[1, 0], [0.25, 1], [0, 0], [0.5, 0.9]], dtype=np.float32), seed=17, weight_scale=2.0)
    make_case("binary_cross_entropy_probabilities", "sigmoid Dense then binary cross-entropy from probabilities",
              [input_layer([3]), dense(2, "sigmoid")], BCE_PROBS, uniform(4, 3),
              np.array([[1, 0], [0.25, 1], [0, 0], [0.5, 0.9]], dtype=np.float32), seed=18,
              check=probabilities_inside(0.05, 0.95))
    make_case("mean_squared_error", "mean squared error over a [batch, 3] output",
              [input_layer([3]), dense(3)], MSE, uniform(5, 3), uniform(5, 3) * 2, seed=19)
    make_case("dense_softmax_probabilities", "Dense with softmax activation (the R post's model) and cross-entropy from probabilities",
              [input_layer([5]), dense(4, "softmax")], SPARSE_CE_PROBS, uniform(6, 5), ids(4, 6), seed=20,
              check=probabilities_inside(0.05, 0.95))


if __name__ == "__main__":
    print("torch", torch.__version__, "numpy", np.__version__, file=sys.stderr)
    main()
