"""Run control: how a regularizer's ``after_record`` stops models of a run and chooses what they keep.

After each recording the training loop hands every ``after_record`` the new `regcore.training.Record`
and the run's `RunControl`. A batch trains K models at once, so stopping is per model: a stopped
model's parameters are frozen (restored after every later update, whatever the optimizer or the
constraints do), its costs go on being recorded, and the run ends once every model has stopped.
Early stopping (``plugins/early_stopping.py``) is built on this and nothing else.
"""

from __future__ import annotations

import numpy as np


class RunControl:
    """What ``after_record`` may read and do: the current parameters, which models stopped, `stop`.

    ``stopped`` (K,) bool, ``stopped_at`` (K,) the iteration at which each model stopped and
    ``kept_from`` (K,) the iteration whose parameters it kept (both -1 while it trains) are copies;
    ``iteration`` is the iteration just recorded.
    """

    def __init__(self, parameters: np.ndarray):
        self._parameters = parameters                  # the run's live (K, P) array
        models = parameters.shape[0]
        self._stopped = np.zeros(models, dtype=bool)
        self._column = self._stopped[:, None]          # a view: broadcasts the mask along P
        self._frozen = np.zeros_like(parameters)
        self._stopped_at = np.full(models, -1, dtype=np.int64)
        self._kept_from = np.full(models, -1, dtype=np.int64)
        self.iteration = 0

    @property
    def models(self) -> int:
        return len(self._stopped)

    @property
    def stopped(self) -> np.ndarray:
        return self._stopped.copy()

    @property
    def stopped_at(self) -> np.ndarray:
        return self._stopped_at.copy()

    @property
    def kept_from(self) -> np.ndarray:
        return self._kept_from.copy()

    @property
    def all_stopped(self) -> bool:
        return bool(self._stopped.all())

    def parameters(self) -> np.ndarray:
        """A copy of every model's parameters (K, P) as they are at this record (what its costs describe)."""
        return self._parameters.copy()

    def stop(self, models, parameters: np.ndarray | None = None, kept_from=None) -> None:
        """Stop training ``models`` (a (K,) bool mask) from this record on; models already stopped stay as they are.

        They keep their current parameters or, given ``parameters`` (K, P), those rows (e.g. the best
        ones seen, from an earlier `parameters()`); ``kept_from`` (a number or (K,)) is the iteration
        those came from (default: this one), for the cost plot to mark.
        """
        models = np.asarray(models, dtype=bool)
        if models.shape != self._stopped.shape:
            raise ValueError(f"stop() takes a (K,) = ({self.models},) mask of models, got shape {models.shape}")
        new = models & ~self._stopped
        if not new.any():
            return
        source = self._parameters if parameters is None else np.asarray(parameters, dtype=float)
        if source.shape != self._parameters.shape:
            raise ValueError(f"stop() takes parameters of shape {self._parameters.shape}, got {source.shape}")
        self._frozen[new] = source[new]
        self._parameters[new] = source[new]
        self._stopped_at[new] = self.iteration
        kept = np.broadcast_to(np.asarray(self.iteration if kept_from is None else kept_from, dtype=np.int64),
                               new.shape)
        self._kept_from[new] = kept[new]
        self._stopped |= new

    def freeze(self) -> None:
        """Put the stopped models' parameters back (the loop calls this after every update once one stopped)."""
        np.copyto(self._parameters, self._frozen, where=self._column)
