"""Plain gradient descent, the notebook's update and the default: W <- W - lr * dW for every parameter."""

from regcore import GradientDescent, hookimpl


@hookimpl
def register_optimizers(register):
    register(GradientDescent)
