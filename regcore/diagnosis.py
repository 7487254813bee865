"""Telling from a run's recorded losses that it did not learn: the loss oscillated, or hardly fell.

A run with too large a learning rate need not diverge: at learning rate 50 on the default data set
the loss jumps between 4 and 10 for 30,000 iterations and the run ends at chance (55%), looking
like any other finished run. `trouble(history)` reads the clean training loss (the objective with
dropout is noisy by design, so it would look like oscillation) and returns a one-line sentence for
the user, or None for a run that learnt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_RECORDS = 5          # fewer records than this say too little to judge
RISE_SHARE = 0.25        # the loss rose by more than this share of what it fell: oscillating
HARDLY_FELL = 0.8        # ended above this share of where it started: hardly fell
LEARNT = 0.5             # ended below this share of where it started: it learnt, whatever bumps it had


@dataclass(frozen=True)
class Trouble:
    kind: str       # "oscillates" or "stalled"
    message: str    # one sentence: what was seen and what to try


def training_loss(history: dict) -> np.ndarray:
    """The clean training loss of the first model, or the objective for runs saved without it."""
    loss = history.get("train_loss")
    if loss is None or not np.isfinite(loss[:, 0]).any():
        loss = history["cost"]
    return np.asarray(loss[:, 0], dtype=float)


def trouble(history: dict, until: int | None = None) -> Trouble | None:
    """What went wrong with the run whose `Result.history` this is, or None if its loss fell as it should.

    ``until``: judge only the records up to that iteration — where its settings or data were first
    changed mid-run: a loss that rises after lambd was turned up is the change, not a learning rate."""
    if until is not None:
        kept = np.asarray(history["iterations"]).reshape(-1) <= until
        history = {name: np.asarray(values)[kept] for name, values in history.items()}
    loss = training_loss(history)
    loss = loss[np.isfinite(loss)]
    if len(loss) < MIN_RECORDS:
        return None
    steps = np.diff(loss)
    rose, fell = steps[steps > 0].sum(), -steps[steps < 0].sum()
    start, end = loss[0], loss[-1]
    if end < LEARNT * start:  # an over-fitting run's loss has bumps on its way to zero: that is learning
        return None
    if rose > RISE_SHARE * fell and rose > 0.05 * start:
        return Trouble("oscillates", f"the training loss oscillated (between {loss.min():.3g} and {loss.max():.3g}, "
                                     f"ending at {end:.3g} from {start:.3g}) instead of falling: "
                                     "the learning rate is too high — try a smaller one")
    if end > HARDLY_FELL * start:
        return Trouble("stalled", f"the training loss hardly fell ({start:.3g} → {end:.3g}): the network "
                                  "learnt little — a learning rate that is too high (units stuck at zero) or "
                                  "too low, or too strong a regularizer, does this")
    return None
