"""Early stopping: stop each model once its watched cost has not improved for `patience` records.

Built on the ``after_record`` hook alone. At every record it compares the watched cost (``test_cost``,
``train_loss`` or ``objective``) of each model with the best so far; a model whose cost has not been
strictly lower for ``patience`` records in a row is stopped there, keeping the parameters of its
best record when ``restore_best`` is on (the usual form), else those it has. The run ends when
every model has stopped; `Result.stopped_at` and `Result.kept_from` say where, per model. It adds
nothing to the cost or the gradient.
"""

import numpy as np

from regcore import Param, Regularizer, hookimpl

WATCHED = {"test_cost": "test_cost", "train_loss": "train_loss", "objective": "cost"}  # choice -> Record field


class EarlyStopping(Regularizer):
    name = "early_stopping"
    label = "Early stopping"
    help = ("Stops training a model once the watched cost has not improved for `patience` records, and "
            "keeps its best parameters. Watching the test cost stops where over-fitting begins.")
    params = (
        Param("patience", "int", 10, low=1, high=1_000_000,
              help="Records without improvement before stopping (a record is every record_every iterations)."),
        Param("watch", "choice", "test_cost", choices=tuple(WATCHED),
              help="The cost that must keep improving: test_cost, train_loss (clean) or objective."),
        Param("restore_best", "bool", True, help="Keep the parameters of the best record rather than the last."),
    )

    def setup(self):
        K = self.context.models
        self._patience = self.values["patience"].reshape(K)
        self._field = WATCHED[self.values["watch"]]
        self._best = np.full(K, np.inf)
        self._best_iteration = np.zeros(K, dtype=np.int64)
        self._waited = np.zeros(K, dtype=np.int64)
        self._best_parameters = None

    def after_record(self, record, control):
        watched = getattr(record, self._field)
        if np.isnan(watched).all():
            raise ValueError(f"it watches {self.values['watch']}, which is NaN (a data set without test points?)")
        improved = watched < self._best
        self._best = np.where(improved, watched, self._best)
        self._best_iteration[improved] = record.iteration
        self._waited = np.where(improved, 0, self._waited + 1)
        if self.values["restore_best"] and improved.any():
            if self._best_parameters is None:
                self._best_parameters = control.parameters()
            else:
                self._best_parameters[improved] = control.parameters()[improved]
        done = self._waited >= self._patience
        if done.any():
            if self.values["restore_best"]:
                control.stop(done, self._best_parameters, kept_from=self._best_iteration)
            else:
                control.stop(done)


@hookimpl
def register_regularizers(register):
    register(EarlyStopping)
