"""How much memory work will take, checked before it starts: a run too big to fit is refused up front.

Training holds, for every model and every hidden unit, a value per training example in several work
arrays (activations, their gradients, the ReLU masks, and a transforming regularizer's buffers such as
dropout's masks). `training_bytes` adds them up from the layer sizes, the number of examples and of
models; `check_training_memory` refuses (ParamError, one line) a run that would need more than
`MEMORY_FRACTION` of this computer's memory, saying how much it would need and what to reduce.
Without this, ``--hidden 1024,1024`` on 1,000,000 points would ask for about 34 GB and die of
MemoryError (or swap the machine to a halt) long after it started.
"""

from __future__ import annotations

import os
from typing import Sequence

from .errors import ParamError

MEMORY_FRACTION = 0.5   # of physical memory (or the container's limit): leaves room for the rest of the program

FLOAT, MASK = 8, 1
# bytes per hidden unit per training example and model: activation, its gradient, the ReLU mask
PER_UNIT = FLOAT + FLOAT + MASK
# what a regularizer that transforms hidden layers may add per unit and example (fresh dropout: a
# boolean mask and a float64 draw)
PER_UNIT_TRANSFORM = FLOAT + MASK


def training_bytes(layer_sizes: Sequence[int], examples: int, models: int = 1, test_examples: int = 0,
                   transforms: int = 0) -> int:
    """Bytes of the work arrays a `Training` of ``models`` models on ``examples`` points allocates.

    Counts the per-example arrays of every hidden layer (``transforms`` regularizers that transform
    hidden layers adding their buffers), the output's logits, probabilities and gradient, the
    parameters and their gradient, and the evaluation passes' largest pair of layer arrays (on the
    training or the test set, whichever is larger).
    """
    sizes = [int(n) for n in layer_sizes]
    hidden = sizes[1:-1]
    K, m = int(models), int(examples)
    per_unit = PER_UNIT + transforms * PER_UNIT_TRANSFORM
    work = K * m * (sum(hidden) * per_unit + 3 * FLOAT * sizes[-1])
    parameters = 2 * K * FLOAT * sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    evaluation = 2 * K * FLOAT * max(hidden + [sizes[-1]]) * max(m, int(test_examples))
    inputs = FLOAT * (sizes[0] + 1) * m  # the batch's [X; 1]
    return work + parameters + evaluation + inputs


def available_memory() -> int | None:
    """Physical memory in bytes, or the container's limit when that is lower; None where unknown."""
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not POSIX
        pass
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(limit_file, encoding="ascii") as handle:
                text = handle.read(64).strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < 2**60:  # "max" or a huge number: no limit
            sizes.append(int(text))
    return min(sizes) if sizes else None


def check_training_memory(layer_sizes: Sequence[int], examples: int, models: int = 1, test_examples: int = 0,
                          transforms: int = 0) -> None:
    """Refuse (ParamError) a run whose work arrays would take more than `MEMORY_FRACTION` of memory."""
    memory = available_memory()
    if memory is None:
        return
    need = training_bytes(layer_sizes, examples, models, test_examples, transforms)
    if need <= MEMORY_FRACTION * memory:
        return
    hidden = list(layer_sizes[1:-1])
    batch = f" for {models} models at once" if models > 1 else ""
    fewer = ", fewer models" if models > 1 else ""
    raise ParamError(f"hidden layers {hidden} on {examples:,} training points would need about {_size(need)} "
                     f"of memory{batch}, more than {MEMORY_FRACTION:.0%} of this computer's {_size(memory)}; "
                     f"use fewer or smaller hidden layers{fewer} or fewer points")


def _size(count: float) -> str:
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count:.0f} bytes"


def check_training(data, hidden: Sequence[int], models: int, regularizers=()) -> None:
    """`check_training_memory` for a `Training`'s own arguments (its data set, hidden sizes, models)."""
    transforms = sum(1 for r in regularizers if r.cls.overrides("transform_hidden"))
    check_training_memory((data.X_train.shape[0], *hidden, 1), data.X_train.shape[1], models,
                          data.X_test.shape[1], transforms)
