"""The compiled iteration: `train_chunk` and `train_parallel`, loops compiled by numba (`regcore.fast`
decides when, and which models run exact).

Importing this module compiles the kernel, or loads it from numba's cache (``cache=True``: next to this
file, or the user's cache directory when that is not writable), so only `regcore.fast` imports it, in
the background or on first use. `train_chunk` performs exactly the planned iteration of
`regcore.training.Training` for a batch of K models on the full batch: the forward pass (ReLU hidden
layers, each optionally through inverted dropout, a sigmoid output), back-propagation, 1/m, the
weight penalties' gradients (L2: + c·W, L1: + c·sign(W), in the order given), the finiteness check of
the gradient, the gradient-descent update p - lr·g for every model not stopped, and the divergence
check on the squared norm of all parameters — for ``iterations`` iterations in a row.

Two ways of computing a model's gradient, chosen per model by ``exact`` (K,): the exact kernel
(`_gradient`) and the loop kernel (``exact`` False: the weight gradients and bias sums by `_row_dot` and
`_row_sum`, sums in SIMD lanes with fused multiply-adds, and every product as loops, ``modes`` then
saying fused loops; about twice as fast, within rounding of NumPy but not its digits).

The exact kernel gives the NumPy path's digits, not just close ones: the unregularized and fresh-dropout runs are
chaotic enough that a last-bit difference per iteration grows to 1e-11 and more over 30,000 of them.
So the matrix products are NumPy's own BLAS calls (numba's ``np.dot`` calls the same routines), or
loops proven to sum as they do (`_product`; ``modes`` (2, L): each layer's forward product, and the
product that takes its gradient down a layer, 0 BLAS, 1 fused loop, 2 plain loop), the
bias gradients are NumPy's pairwise sums, the sigmoid's exp is NumPy's own float64 loop (called by its
address, `_exp_in_place`), and every element-wise step is the NumPy path's, in its order (z = W·a,
then + b; a·d then / keep; g·(1/m); g·lr then p - g).

Array conventions (all C-contiguous float64 unless said; ``exp_loop``, ``exp_data``: the address of
NumPy's float64 exp loop and its data pointer, or 0 for the C library's exp):
- ``params``, ``grads``: (K, P), the rows of `regcore.network.Layout`; ``sizes`` (L + 1,) int64;
- ``inputs``: (KX, n_x, m) and ``labels`` (KX, m): KX is 1 (shared) or K (each model its own);
- ``rates``: (K,); ``stopped``: (K,) bool, models whose parameters are frozen;
- ``term_kinds`` (T,) int64, 1 = L2 and 2 = L1, with ``term_coefficients`` (T, K, W);
- dropout: ``drop_mode`` 0 none, 1 fixed masks ``drop`` (KD, 1, H, m) of 0.0/1.0 (KD 1 or K), 2 fresh
  uniforms ``drop`` (K, iterations, H, m), kept where u < keep; ``keep`` (K,); H: all hidden units;
- ``work``, ``work_grads``: (H + 1, m) scratch, the hidden activations then the output (`train_parallel`:
  (K, H + 1, m), one per model);
- ``modes``: (2, 2, L): [1] the exact kernel's products (see `_product`), [0] the loop kernel's.

Returns (iterations done, status): status 0 all done, 1 the gradient of iteration ``done`` was not
finite (no update made), 2 the parameters after iteration ``done`` diverged (its update made).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

# no fastmath: every operation rounds as NumPy's does, and NaN and infinity propagate to the checks
OPTIONS = dict(cache=True, error_model="numpy", nogil=True)
_ARGUMENTS = ("int64, int64, int64[:, :, ::1], float64[:, ::1], float64[:, ::1], int64[::1], float64[:, :, ::1], "
              "float64[:, ::1], float64[::1], boolean[::1], float64, int64[::1], float64[:, :, ::1], int64, "
              "float64[:, :, :, ::1], float64[::1], float64, int64")
SIGNATURE = f"UniTuple(int64, 2)({_ARGUMENTS}, boolean, boolean[::1], float64[:, ::1], float64[:, ::1])"
PARALLEL_SIGNATURE = f"UniTuple(int64, 2)({_ARGUMENTS}, boolean[::1], float64[:, :, ::1], float64[:, :, ::1])"

DONE, GRADIENT_NOT_FINITE, DIVERGED = 0, 1, 2
L2, L1 = 1, 2
NO_DROPOUT, FIXED_MASKS, FRESH_MASKS = 0, 1, 2


@intrinsic
def _call_ufunc_loop(typingctx, address, args, dimensions, steps, data):
    """Call the C function at ``address`` as a NumPy ufunc inner loop: void (char **args, npy_intp
    *dimensions, npy_intp *steps, void *data)."""
    signature = types.void(types.intp, types.voidptr, types.voidptr, types.voidptr, types.intp)

    def codegen(context, builder, sig, arguments):
        address, args, dimensions, steps, data = arguments
        pointer = ir.IntType(8).as_pointer()
        function = builder.inttoptr(address, ir.FunctionType(ir.VoidType(), [pointer] * 4).as_pointer())
        builder.call(function, [args, dimensions, steps, builder.inttoptr(data, pointer)])
    return signature, codegen


@numba.njit(**OPTIONS)
def _exp_in_place(x, exp_loop, exp_data, scratch):
    """x = exp(x) for a contiguous row: by NumPy's own float64 loop when ``exp_loop`` is its address (the
    same digits as ``np.exp``, whose SIMD kernel differs from the C library's in the last bit of about
    one result in twenty), else by the C library's exp."""
    if exp_loop == 0:
        for j in range(x.shape[0]):
            x[j] = math.exp(x[j])
        return
    scratch[0] = x.ctypes.data  # args: input and output, the same row
    scratch[1] = x.ctypes.data
    scratch[2] = x.shape[0]     # dimensions
    scratch[3] = 8              # steps, in bytes
    scratch[4] = 8
    _call_ufunc_loop(exp_loop, scratch.ctypes, scratch[2:3].ctypes, scratch[3:5].ctypes, exp_data)


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c with one rounding (llvm.fma)."""
    def codegen(context, builder, sig, arguments):
        double = ir.DoubleType()
        fma = builder.module.declare_intrinsic("llvm.fma", [double], ir.FunctionType(double, [double] * 3))
        return builder.call(fma, arguments)
    return types.float64(types.float64, types.float64, types.float64), codegen


BLAS, FUSED_LOOP, PLAIN_LOOP = 0, 1, 2  # how `_product` computes W A


@numba.njit(**OPTIONS)
def _product(W, A, mode, out):
    """out = W A: by BLAS (NumPy's own routine), or for the short products where BLAS costs mostly its
    call, by loops that sum in BLAS's order — sequentially over the inner dimension, fused
    multiply-adds or not. `regcore.fast.product_modes` picks, per product, a loop only if it gives
    ``np.dot``'s digits on this machine."""
    if mode == BLAS:
        np.dot(W, A, out)
        return
    n_out, n_in = W.shape
    m = A.shape[1]
    for i in range(n_out):
        row = out[i]
        w = W[i, 0]
        a = A[0]
        for j in range(m):
            row[j] = w * a[j]
        for q in range(1, n_in):
            w = W[i, q]
            a = A[q]
            if mode == FUSED_LOOP:
                for j in range(m):
                    row[j] = _fma(w, a[j], row[j])
            else:
                for j in range(m):
                    row[j] = row[j] + w * a[j]


# the loop kernel's reductions may be reordered (into SIMD lanes): a fixed order once compiled, about as
# exact as BLAS's, but not its digits
REORDERED = dict(OPTIONS, fastmath={"reassoc", "contract"})


@numba.njit(**REORDERED)
def _row_dot(a, b, m):
    """sum_j a[j] * b[j], summed in SIMD lanes."""
    total = 0.0
    for j in range(m):
        total += a[j] * b[j]
    return total


@numba.njit(**REORDERED)
def _row_sum(a, m):
    """sum_j a[j], summed in SIMD lanes."""
    total = 0.0
    for j in range(m):
        total += a[j]
    return total


@numba.njit(**OPTIONS)
def _block_sum(a, start, n):
    """NumPy's sum of a block of at most 128 numbers: eight running sums, combined pairwise."""
    if n < 8:
        total = -0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = start + 8
    end = start + n - n % 8
    while i < end:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < start + n:
        total += a[i]
        i += 1
    return total


@numba.njit(**OPTIONS)
def _pairwise_sum(a, n, stack, values):
    """NumPy's pairwise summation of a[:n] (what ``np.add.reduce`` does), to the last digit: blocks of
    at most 128, halves (cut at a multiple of 8) added together. Iterative, with the caller's scratch
    ``stack`` (64, 3) and ``values`` (64,), because numba's cache cannot keep recursive functions."""
    if n <= 128:
        return _block_sum(a, 0, n)
    top, count = 1, 0
    stack[0, 0], stack[0, 1], stack[0, 2] = 0, n, 0
    while top > 0:
        top -= 1
        start, size, stage = stack[top, 0], stack[top, 1], stack[top, 2]
        if size <= 128:
            values[count] = _block_sum(a, start, size)
            count += 1
        elif stage == 0:  # visit the halves, then come back to add them
            half = size // 2
            half -= half % 8
            stack[top, 2] = 1
            stack[top + 1, 0], stack[top + 1, 1], stack[top + 1, 2] = start + half, size - half, 0
            stack[top + 2, 0], stack[top + 2, 1], stack[top + 2, 2] = start, half, 0
            top += 3
        else:
            count -= 1
            values[count - 1] = values[count - 1] + values[count]
    return values[0]


@numba.njit(**OPTIONS)
def _gradient(params, grads, sizes, inputs, labels, k, it, inv_m, term_kinds, term_coefficients,
              drop_mode, drop, keep, weight_count, L, m, work, work_grads, stack, values, exp_loop, exp_data,
              pointers, modes, exact):
    """One model's forward pass and back-propagation into ``grads[k]`` (1/m and the terms included).
    ``exact``: the weight gradients and bias sums as NumPy computes them (BLAS, pairwise sums), else
    by `_row_dot` (the loop kernel)."""
    kx = k if inputs.shape[0] > 1 else 0
    fresh = drop_mode == FRESH_MASKS
    dk = k if drop.shape[0] > 1 else 0
    di = it if drop.shape[1] > 1 else 0
    c = keep[k]
    # ---- forward: Z = W A by the same BLAS product as NumPy's, then + b, ReLU, dropout
    w_at, b_at, row = 0, weight_count, 0
    for l in range(L):
        n_in, n_out = sizes[l], sizes[l + 1]
        W = params[k, w_at:w_at + n_in * n_out].reshape(n_out, n_in)
        Z = work[row:row + n_out]
        if l == 0:
            _product(W, inputs[kx], modes[0, l], Z)
        else:
            _product(W, work[row - n_in:row], modes[0, l], Z)
        for i in range(n_out):
            z = Z[i]
            b = params[k, b_at + i]
            if l < L - 1:  # hidden
                for j in range(m):
                    v = z[j] + b
                    z[j] = 0.0 if v < 0.0 else v
                if drop_mode == FIXED_MASKS:
                    d = drop[dk, di, row + i]
                    for j in range(m):
                        z[j] = z[j] * d[j] / c
                elif fresh:
                    u = drop[dk, di, row + i]
                    for j in range(m):
                        z[j] = z[j] * (1.0 if u[j] < c else 0.0) / c
            else:  # the output: sigmoid, in the notebook's order
                for j in range(m):
                    z[j] = -(z[j] + b)
                _exp_in_place(z, exp_loop, exp_data, pointers)
                for j in range(m):
                    z[j] = 1.0 / (1.0 + z[j])
        w_at += n_in * n_out
        b_at += n_out
        row += n_out
    # ---- backward: work_grads holds dZ of each layer, from the output down
    y = labels[kx]
    dz = work_grads[row - 1]
    p_out = work[row - 1]
    for j in range(m):
        dz[j] = p_out[j] - y[j]
    for l in range(L - 1, -1, -1):
        n_in, n_out = sizes[l], sizes[l + 1]
        w_at -= n_in * n_out
        b_at -= n_out
        row -= n_out
        dZ = work_grads[row:row + n_out]
        dW = grads[k, w_at:w_at + n_in * n_out].reshape(n_out, n_in)
        A_in = inputs[kx] if l == 0 else work[row - n_in:row]
        if exact:
            np.dot(dZ, A_in.T, dW)
            for i in range(n_out):
                grads[k, b_at + i] = _pairwise_sum(dZ[i], m, stack, values)
        else:
            for i in range(n_out):
                for q in range(n_in):
                    dW[i, q] = _row_dot(dZ[i], A_in[q], m)
                grads[k, b_at + i] = _row_sum(dZ[i], m)
        if l == 0:
            break
        W = params[k, w_at:w_at + n_in * n_out].reshape(n_out, n_in)
        dA = work_grads[row - n_in:row]
        _product(W.T, dZ, modes[1, l], dA)
        for q in range(n_in):  # dropout's backward, then ReLU's derivative
            da = dA[q]
            a = work[row - n_in + q]
            if drop_mode == FIXED_MASKS:
                d = drop[dk, di, row - n_in + q]
                for j in range(m):
                    da[j] = da[j] * d[j] / c
            elif fresh:
                u = drop[dk, di, row - n_in + q]
                for j in range(m):
                    da[j] = da[j] * (1.0 if u[j] < c else 0.0) / c
            for j in range(m):
                da[j] = da[j] * (1.0 if a[j] > 0.0 else 0.0)
    P = grads.shape[1]
    for p in range(P):  # the notebook's 1/m
        grads[k, p] = grads[k, p] * inv_m
    # ---- the weight penalties' gradients, in the regularizers' order
    for t in range(term_kinds.shape[0]):
        coefficient = term_coefficients[t, k]
        if term_kinds[t] == L2:
            for p in range(weight_count):
                grads[k, p] = grads[k, p] + coefficient[p] * params[k, p]
        else:
            for p in range(weight_count):
                w = params[k, p]
                sign = 1.0 if w > 0.0 else (-1.0 if w < 0.0 else (0.0 if w == 0.0 else w))
                grads[k, p] = grads[k, p] + sign * coefficient[p]


@numba.njit(**OPTIONS)
def _squares(a, k):
    """The squared norm of row k of ``a``."""
    total = 0.0
    for p in range(a.shape[1]):
        total += a[k, p] * a[k, p]
    return total


@numba.njit(**OPTIONS)
def _descend(params, grads, k, rate):
    """Gradient descent on model k: grads[k] becomes the step lr·g, params[k] - lr·g the parameters."""
    for p in range(params.shape[1]):
        g = grads[k, p] * rate
        grads[k, p] = g
        params[k, p] = params[k, p] - g


@numba.njit(SIGNATURE, **OPTIONS)
def train_chunk(exp_loop, exp_data, modes, params, grads, sizes, inputs, labels, rates, stopped, inv_m,
                term_kinds, term_coefficients, drop_mode, drop, keep, limit, iterations, update, exact, work,
                work_grads):
    K = params.shape[0]
    L = sizes.shape[0] - 1
    m = inputs.shape[2]
    weight_count = np.sum(sizes[:-1] * sizes[1:])
    stack, values, pointers = np.empty((64, 3), dtype=np.int64), np.empty(64), np.empty(5, dtype=np.int64)
    for it in range(iterations):
        squares = 0.0
        for k in range(K):
            _gradient(params, grads, sizes, inputs, labels, k, it, inv_m, term_kinds, term_coefficients,
                      drop_mode, drop, keep, weight_count, L, m, work, work_grads, stack, values, exp_loop, exp_data,
                      pointers, modes[1 if exact[k] else 0], exact[k])
            squares += _squares(grads, k)
        if not math.isfinite(squares):
            return it, GRADIENT_NOT_FINITE
        if not update:
            return it, DONE
        squares = 0.0
        for k in range(K):
            if not stopped[k]:
                _descend(params, grads, k, rates[k])
            squares += _squares(params, k)
        if not squares < limit:
            return it, DIVERGED
    return iterations, DONE


@numba.njit(PARALLEL_SIGNATURE, parallel=True, **OPTIONS)
def train_parallel(exp_loop, exp_data, modes, params, grads, sizes, inputs, labels, rates, stopped, inv_m,
                   term_kinds, term_coefficients, drop_mode, drop, keep, limit, iterations, exact, work, work_grads):
    """`train_chunk` with an update, the models spread over the cores: each model runs the whole chunk on
    its own (``work``, ``work_grads``: (K, H + 1, m), one scratch per model), keeping its squared norms;
    the checks then look at the iterations in order. If one fails, the chunk is redone by `train_chunk`
    from the parameters it started from, so the outcome is the same."""
    K = params.shape[0]
    L = sizes.shape[0] - 1
    m = inputs.shape[2]
    weight_count = np.sum(sizes[:-1] * sizes[1:])
    start = params.copy()
    gradient_squares, parameter_squares = np.empty((K, iterations)), np.empty((K, iterations))
    for model in numba.prange(K):
        k = np.int64(model)  # prange's index may be unsigned, and mixed with 0 it would type as a float
        stack, values, pointers = np.empty((64, 3), dtype=np.int64), np.empty(64), np.empty(5, dtype=np.int64)
        for it in range(iterations):
            _gradient(params, grads, sizes, inputs, labels, k, it, inv_m, term_kinds, term_coefficients,
                      drop_mode, drop, keep, weight_count, L, m, work[k], work_grads[k], stack, values, exp_loop,
                      exp_data, pointers, modes[1 if exact[k] else 0], exact[k])
            gradient_squares[k, it] = _squares(grads, k)
            if not stopped[k]:
                _descend(params, grads, k, rates[k])
            parameter_squares[k, it] = _squares(params, k)
    for it in range(iterations):
        if not (math.isfinite(np.sum(gradient_squares[:, it])) and np.sum(parameter_squares[:, it]) < limit):
            params[...] = start
            return train_chunk(exp_loop, exp_data, modes, params, grads, sizes, inputs, labels, rates, stopped,
                               inv_m, term_kinds, term_coefficients, drop_mode, drop, keep, limit, iterations, True,
                               exact, work[0], work_grads[0])
    return iterations, DONE
