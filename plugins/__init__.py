"""RegStudio's built-in plugins: each module is registered through the same hooks as a third-party one."""
