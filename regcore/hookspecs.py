"""The plugin contract: the hooks a RegStudio plugin may implement (regularizers, data sets, optimizers).

A plugin is a module (or any object) with functions marked ``@hookimpl`` and named like the specs
below. The built-ins in ``plugins/`` are registered exactly this way; third-party packages expose
theirs through the ``regcore`` entry-point group. Hooks are called with keyword arguments, and an
implementation may accept fewer arguments than its spec, so these specs can grow without breaking
plugins. Plugins load at every start of ``regcore`` and of the window, so hooks must be quick.
See docs/plugins.md for the tutorial and the reference of each hook.
"""

import pluggy

hookspec = pluggy.HookspecMarker("regcore")
hookimpl = pluggy.HookimplMarker("regcore")


@hookspec
def register_regularizers(register):
    """Called once when plugins load: call ``register(cls)`` for each `regcore.Regularizer` subclass.

    ``register`` raises `regcore.PluginError` for a malformed class or a taken name (the plugin is
    then skipped) and works only while this hook runs.
    """


@hookspec
def register_datasets(register):
    """Called once when plugins load: call ``register(source)`` for each `regcore.DatasetSource`.

    The same rules as `register_regularizers`.
    """


@hookspec
def register_optimizers(register):
    """Called once when plugins load: call ``register(cls)`` for each `regcore.Optimizer` subclass.

    The same rules as `register_regularizers`; an optimizer may not declare a parameter named ``lr``
    (that name is the run's learning rate, offered beside every optimizer's parameters).
    """
