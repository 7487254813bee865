"""The 'none' regularizer: plain training, the notebook's baseline."""

from regcore import Regularizer, hookimpl


class NoRegularization(Regularizer):
    name = "none"
    label = "No regularization"
    help = ("Train on the data loss alone. The network is free to fit every quirk of the training "
            "points, so expect the widest gap between train and test accuracy.")


@hookimpl
def register_regularizers(register):
    register(NoRegularization)
