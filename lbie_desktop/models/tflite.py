"""A small TFLite interpreter in torch, for the float models of the mediapipe wheel.

Why not ai-edge-litert or a conversion to ONNX: the first is a 22 MB native wheel for one
230 KB face detector, the second needs TensorFlow. The flat graphs of these models use a
handful of builtin ops (the face mesh adds PReLU; the full-range detector sparse weights,
bilinear resizes and depth-to-space), so the file is read by the small flatbuffer table
reader below (no dependency) and run op by op with torch.nn.functional. An op outside that set is refused
when the model is loaded, never silently skipped.

Field numbers follow TensorFlow's lite/schema/schema.fbs (they are frozen by the format).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from lbie_desktop.errors import UserError

# BuiltinOperator codes (schema.fbs)
ADD, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE = 0, 2, 3, 4, 6
MAX_POOL_2D, RELU, RESHAPE, PAD, RELU6, PRELU = 17, 19, 22, 34, 21, 54
DEPTH_TO_SPACE, RESIZE_BILINEAR, DENSIFY = 5, 23, 124  # the full-range face detector
SUPPORTED = {ADD, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, MAX_POOL_2D, RELU,
             RESHAPE, PAD, RELU6, PRELU, DEPTH_TO_SPACE, RESIZE_BILINEAR, DENSIFY}
# TensorType
_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}


class _Table:
    """Read-only view of one flatbuffer table (vtable lookups by field number)."""

    def __init__(self, buf: bytes, pos: int):
        self.buf, self.pos = buf, pos
        self._vt = pos - int.from_bytes(buf[pos:pos + 4], "little", signed=True)
        self._vt_len = int.from_bytes(buf[self._vt:self._vt + 2], "little")

    def _field(self, n: int) -> int:
        o = 4 + 2 * n
        if o >= self._vt_len:
            return 0
        return int.from_bytes(self.buf[self._vt + o:self._vt + o + 2], "little")

    def scalar(self, n: int, fmt: str, default=0):
        o = self._field(n)
        if not o:
            return default
        return np.frombuffer(self.buf, fmt, 1, self.pos + o)[0].item()

    def _indirect(self, at: int) -> int:
        return at + int.from_bytes(self.buf[at:at + 4], "little")

    def table(self, n: int) -> _Table | None:
        o = self._field(n)
        return _Table(self.buf, self._indirect(self.pos + o)) if o else None

    def _vector(self, n: int) -> tuple[int, int]:
        o = self._field(n)
        if not o:
            return 0, 0
        start = self._indirect(self.pos + o)
        return start + 4, int.from_bytes(self.buf[start:start + 4], "little")

    def tables(self, n: int) -> list[_Table]:
        start, count = self._vector(n)
        return [_Table(self.buf, self._indirect(start + 4 * i)) for i in range(count)]

    def array(self, n: int, dtype) -> np.ndarray:
        start, count = self._vector(n)
        return np.frombuffer(self.buf, dtype, count, start) if count else np.zeros(0, dtype)

    def string(self, n: int) -> str:
        start, count = self._vector(n)
        return bytes(self.buf[start:start + count]).decode("utf-8", "replace")


@dataclass
class _Op:
    code: int
    inputs: list[int]
    outputs: list[int]
    options: _Table | None


_ACT = {0: None, 1: F.relu, 3: lambda x: x.clamp(0, 6)}


class TFLiteModel:
    """Runs a float TFLite graph (one subgraph, NHWC) with torch on the CPU."""

    def __init__(self, path: Path | str):
        buf = Path(path).read_bytes()
        if len(buf) < 8 or buf[4:8] != b"TFL3":
            raise UserError(f"{Path(path).name} is not a TFLite model")
        model = _Table(buf, int.from_bytes(buf[0:4], "little"))
        codes = [max(c.scalar(0, "<i1"), c.scalar(3, "<i4")) for c in model.tables(1)]
        buffers = model.tables(4)
        graph = model.tables(2)[0]
        self.inputs = [int(i) for i in graph.array(1, "<i4")]
        self.outputs = [int(i) for i in graph.array(2, "<i4")]
        self.names: list[str] = []
        self.shapes: list[tuple[int, ...]] = []
        self.consts: dict[int, torch.Tensor] = {}
        for i, t in enumerate(graph.tables(0)):
            self.names.append(t.string(3))
            self.shapes.append(tuple(int(v) for v in t.array(0, "<i4")))
            dtype = _DTYPES.get(t.scalar(1, "<i1"))
            data = buffers[t.scalar(2, "<u4")].array(0, np.uint8)
            if len(data) and dtype is not None:
                arr = np.frombuffer(data.tobytes(), dtype)
                sparsity = t.table(6)  # Tensor.sparsity: a DENSIFY input, stored compressed
                arr = (_densify(arr, self.shapes[-1], sparsity, Path(path).name)
                       if sparsity is not None else arr.reshape(self.shapes[-1]))
                self.consts[i] = torch.from_numpy(arr.astype(
                    np.float32 if dtype == np.float16 else dtype, copy=True))
        self.ops = []
        for o in graph.tables(3):
            code = codes[o.scalar(0, "<u4")]
            if code not in SUPPORTED:
                raise UserError(f"{Path(path).name}: TFLite op {code} is not supported here")
            self.ops.append(_Op(code, [int(v) for v in o.array(1, "<i4")],
                                [int(v) for v in o.array(2, "<i4")], o.table(4)))
        self._prepare()

    def _prepare(self) -> None:
        """Weights to torch's layouts once (OHWI -> OIHW; depthwise 1HWO -> O1HW)."""
        for op in self.ops:
            if op.code == DENSIFY:  # the weight was densified when read
                self.consts[op.outputs[0]] = self.consts[op.inputs[0]]
            if op.code == DEQUANTIZE and op.inputs[0] in self.consts:
                self.consts[op.outputs[0]] = self.consts[op.inputs[0]].float()
        self._weights: dict[int, torch.Tensor] = {}
        for op in self.ops:  # fused activations too are checked now, not on the first run
            field = {CONV_2D: 3, DEPTHWISE_CONV_2D: 4, MAX_POOL_2D: 5, ADD: 0,
                     CONCATENATION: 1}.get(op.code)
            if field is not None and op.options is not None \
                    and op.options.scalar(field, "<i1") not in _ACT:
                raise UserError(f"TFLite fused activation {op.options.scalar(field, '<i1')} "
                                "is not supported here")
        for k, op in enumerate(self.ops):
            if op.code == CONV_2D:
                self._weights[k] = self.consts[op.inputs[1]].permute(0, 3, 1, 2).contiguous()
            elif op.code == DEPTHWISE_CONV_2D:
                self._weights[k] = self.consts[op.inputs[1]].permute(3, 0, 1, 2).contiguous()

    def __call__(self, *inputs: np.ndarray) -> list[np.ndarray]:
        vals: dict[int, torch.Tensor] = dict(self.consts)
        for i, x in zip(self.inputs, inputs):
            vals[i] = torch.from_numpy(np.ascontiguousarray(x, np.float32))
        with torch.inference_mode():
            for k, op in enumerate(self.ops):
                if op.code in (DEQUANTIZE, DENSIFY) and op.outputs[0] in vals:
                    continue  # a weight, converted once in _prepare
                vals[op.outputs[0]] = self._run(k, op, vals)
        return [vals[i].numpy() for i in self.outputs]

    def _run(self, k: int, op: _Op, vals: dict[int, torch.Tensor]) -> torch.Tensor:
        x = vals[op.inputs[0]]
        o = op.options
        if op.code in (CONV_2D, DEPTHWISE_CONV_2D):
            depthwise = op.code == DEPTHWISE_CONV_2D
            # Conv2DOptions: padding 0, stride_w 1, stride_h 2, act 3;
            # DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, act 4.
            same = o.scalar(0, "<i1") == 0
            sw, sh = o.scalar(1, "<i4", 1), o.scalar(2, "<i4", 1)
            act = o.scalar(4 if depthwise else 3, "<i1")
            w = self._weights[k]
            bias = vals[op.inputs[2]] if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
            xc = x.permute(0, 3, 1, 2)
            if same:
                xc = _pad_same(xc, w.shape[2], w.shape[3], sh, sw)
            y = F.conv2d(xc, w, bias, (sh, sw), groups=xc.shape[1] if depthwise else 1)
            return _activate(y.permute(0, 2, 3, 1), act)
        if op.code == MAX_POOL_2D:
            same = o.scalar(0, "<i1") == 0
            sw, sh = o.scalar(1, "<i4", 1), o.scalar(2, "<i4", 1)
            fw, fh = o.scalar(3, "<i4", 1), o.scalar(4, "<i4", 1)
            xc = x.permute(0, 3, 1, 2)
            if same:
                xc = _pad_same(xc, fh, fw, sh, sw, value=float("-inf"))
            return _activate(F.max_pool2d(xc, (fh, fw), (sh, sw)).permute(0, 2, 3, 1),
                             o.scalar(5, "<i1"))
        if op.code == ADD:
            return _activate(x + vals[op.inputs[1]], o.scalar(0, "<i1") if o else 0)
        if op.code == PAD:
            pads = vals[op.inputs[1]].reshape(-1, 2).tolist()
            flat = [int(v) for before_after in reversed(pads) for v in before_after]
            return F.pad(x, flat)
        if op.code == RELU:
            return F.relu(x)
        if op.code == RELU6:
            return x.clamp(0, 6)
        if op.code == PRELU:  # the face mesh's activation; alpha broadcasts over NHWC
            alpha = vals[op.inputs[1]]
            return torch.where(x >= 0, x, x * alpha)
        if op.code == RESHAPE:
            shape = self.shapes[op.outputs[0]]
            return x.reshape([int(s) for s in shape])
        if op.code == CONCATENATION:
            axis = o.scalar(0, "<i4")
            return _activate(torch.cat([vals[i] for i in op.inputs], axis), o.scalar(1, "<i1"))
        if op.code == DEQUANTIZE:
            return x.float()
        if op.code == RESIZE_BILINEAR:
            # ResizeBilinearOptions: align_corners 2, half_pixel_centers 3
            h, w = (int(v) for v in vals[op.inputs[1]].tolist())
            align, half = bool(o.scalar(2, "<u1")), bool(o.scalar(3, "<u1"))
            if not (align or half):
                raise UserError("TFLite RESIZE_BILINEAR without half-pixel centres is not "
                                "supported here")
            y = F.interpolate(x.permute(0, 3, 1, 2), size=(h, w), mode="bilinear",
                              align_corners=align)
            return y.permute(0, 2, 3, 1)
        if op.code == DEPTH_TO_SPACE:  # NHWC, TensorFlow's channel order (block row, col, c)
            bs = o.scalar(0, "<i4")
            n, h, w, c = x.shape
            y = x.reshape(n, h, w, bs, bs, c // (bs * bs)).permute(0, 1, 3, 2, 4, 5)
            return y.reshape(n, h * bs, w * bs, c // (bs * bs))
        raise UserError(f"TFLite op {op.code} is not supported here")  # pragma: no cover


def _densify(values: np.ndarray, shape: tuple[int, ...], sparsity: _Table,
             name: str) -> np.ndarray:
    """A constant stored sparse (SparsityParameters): the layout of MediaPipe's sparse models,
    every dimension dense but the last, which is CSR (segments per row, column indices), in
    the natural order without blocks. Other layouts are refused."""
    order = [int(v) for v in sparsity.array(0, "<i4")]
    dims = sparsity.tables(2)
    fmts = [d.scalar(0, "<i1") for d in dims]
    if (order != list(range(len(shape))) or len(sparsity.array(1, "<i4"))
            or fmts != [0] * (len(shape) - 1) + [1]):
        raise UserError(f"{name}: this sparse TFLite layout is not supported here")
    vec = {1: "<i4", 2: "<u2", 3: "<u1"}  # SparseIndexVector: Int32/Uint16/Uint8Vector

    def index_vector(d: _Table, type_field: int, field: int) -> np.ndarray:
        kind = d.scalar(type_field, "<u1")
        if kind not in vec:
            raise UserError(f"{name}: sparse index vector type {kind} is not supported here")
        return d.table(field).array(0, vec[kind]).astype(np.int64)

    seg, idx = index_vector(dims[-1], 2, 3), index_vector(dims[-1], 4, 5)
    rows = int(np.prod(shape[:-1]))
    if len(seg) != rows + 1 or len(idx) != len(values) or seg[-1] != len(values):
        raise UserError(f"{name}: inconsistent sparse tensor")
    dense = np.zeros((rows, shape[-1]), values.dtype)
    row_of = np.repeat(np.arange(rows), np.diff(seg))
    dense[row_of, idx] = values
    return dense.reshape(shape)


def _pad_same(x: torch.Tensor, kh: int, kw: int, sh: int, sw: int,
              value: float = 0.0) -> torch.Tensor:
    """TensorFlow's SAME padding (the extra pixel goes after, unlike torch's symmetric)."""
    h, w = x.shape[-2:]
    ph = max((-(-h // sh) - 1) * sh + kh - h, 0)
    pw = max((-(-w // sw) - 1) * sw + kw - w, 0)
    if not ph and not pw:
        return x
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), value=value)


def _activate(x: torch.Tensor, act: int) -> torch.Tensor:
    if act not in _ACT:
        raise UserError(f"TFLite fused activation {act} is not supported here")
    f = _ACT[act]
    return f(x) if f else x
