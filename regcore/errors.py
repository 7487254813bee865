"""The errors RegStudio reports to people: each one's message is a single line saying what is wrong
and, where it helps, what is allowed or what to try. The CLI prints them and exits with status 2; the
window shows them in a dialog or the status bar. Anything else that escapes is a bug."""


# What a plugin's code may raise without taking the program down: everything but Ctrl-C. Wherever the
# core calls into a plugin (loading it, a regularizer's hook, a data set's make) it catches these.
PLUGIN_FAILURES = (Exception, SystemExit)


class RegcoreError(Exception):
    """A problem with the user's input, data, settings or plugins; its message is one line."""


class ParamError(RegcoreError):
    """A regularizer or data-set parameter is unknown, of the wrong type or out of bounds."""


class DataError(RegcoreError):
    """A data set could not be read or is not usable for training."""


class PluginError(RegcoreError):
    """A plugin or something it registered is malformed; also raised for unknown names."""


class TrainingError(RegcoreError):
    """Training stopped: the cost or the parameters stopped being finite, or a regularizer failed.

    `iteration` is the iteration at which it happened; `regularizer` names the culprit when one is
    known (``None`` for plain divergence).
    """

    def __init__(self, message: str, iteration: int, regularizer: str | None = None):
        super().__init__(message)
        self.iteration = iteration
        self.regularizer = regularizer
