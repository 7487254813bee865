"""Example RegStudio plugins: each module is one plugin, named by an entry point in pyproject.toml.

- `regstudio_extra.max_norm`: a max-norm constraint (projects weights after each update);
- `regstudio_extra.checkerboard`: a checkerboard data set.
"""
