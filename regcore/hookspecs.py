"""The plugin contract: the hooks a RegStudio plugin may implement.

A plugin is a module (or any object) with functions marked ``@hookimpl`` and named like the specs
below. The built-ins in ``plugins/`` are registered exactly this way; third-party packages expose
theirs through the ``regcore`` entry-point group. Hooks are called with keyword arguments, and an
implementation may accept fewer arguments than its spec, so these specs can grow without breaking
plugins. See docs/plugins.md for the tutorial.
"""

import pluggy

hookspec = pluggy.HookspecMarker("regcore")
hookimpl = pluggy.HookimplMarker("regcore")


@hookspec
def register_regularizers(register):
    """Called once when plugins load: call ``register(cls)`` for each `regcore.Regularizer` subclass."""


@hookspec
def register_datasets(register):
    """Called once when plugins load: call ``register(source)`` for each `regcore.DatasetSource`."""
