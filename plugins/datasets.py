"""The built-in data-set generators: TensorFlow Playground's four, scikit-learn's moons, the course's flower.

Each takes a size ``n``, a ``noise`` level, a ``test_ratio`` and a ``seed`` and is fully determined by
them. The Playground sets follow its definitions (dataset.ts) on its [-6, 6] field, then are scaled
by 1/6 to [-1, 1], the scale the network's initialisation and learning rate suit; the flower is the
course's ``load_planar_dataset`` scaled likewise.
"""

import numpy as np

from regcore import DatasetSource, Param, hookimpl, split_points


def _common(n=200, noise=0.1, max_noise=1.0, test_ratio=0.5):
    return (
        Param("n", "int", n, low=4, high=100_000, help="Number of points, train and test together."),
        Param("noise", "float", noise, low=0.0, high=max_noise, help="How much the classes overlap."),
        Param("test_ratio", "float", test_ratio, low=0.0, high=1.0, low_open=True, high_open=True,
              help="Share of the points held out as the test set."),
        Param("seed", "int", 1, low=0, high=2**32 - 1, help="Seed of the generator: same seed, same points."),
    )


def _finish(name, X, labels, test_ratio, rng, scale):
    return split_points(name, np.asarray(X) * scale, np.asarray(labels, dtype=float), test_ratio, rng)


def circle(n, noise, test_ratio, seed):
    """Playground 'circle': a disc of one class inside a ring of the other."""
    rng = np.random.default_rng(seed)
    radius = 5.0
    X, labels = [], []
    for inner, count in ((True, n // 2), (False, n - n // 2)):
        r = rng.uniform(0, radius * 0.5, count) if inner else rng.uniform(radius * 0.7, radius, count)
        angle = rng.uniform(0, 2 * np.pi, count)
        points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        jitter = rng.uniform(-radius, radius, (count, 2)) * noise
        labels.append(np.hypot(*(points + jitter).T) < radius * 0.5)
        X.append(points)
    return _finish(f"circle (n={n}, noise={noise:g})", np.concatenate(X), np.concatenate(labels), test_ratio, rng, 1 / 6)


def xor(n, noise, test_ratio, seed):
    """Playground 'xor': the four quadrants, opposite ones sharing a class."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    moved = points + jitter
    labels = moved[:, 0] * moved[:, 1] >= 0
    return _finish(f"xor (n={n}, noise={noise:g})", points, labels, test_ratio, rng, 1 / 6)


def gauss(n, noise, test_ratio, seed):
    """Playground 'gauss': two Gaussian blobs whose spread grows with the noise."""
    rng = np.random.default_rng(seed)
    variance = 0.5 + noise * 7  # the Playground's scale from noise [0, .5] to variance [0.5, 4]
    half = n // 2
    blobs = [rng.normal(centre, np.sqrt(variance), (count, 2)) for centre, count in ((2, half), (-2, n - half))]
    labels = np.r_[np.ones(half), np.zeros(n - half)]
    return _finish(f"gauss (n={n}, noise={noise:g})", np.concatenate(blobs), labels, test_ratio, rng, 1 / 6)


def spiral(n, noise, test_ratio, seed):
    """Playground 'spiral': two interleaved arms."""
    rng = np.random.default_rng(seed)
    X, labels = [], []
    for delta, label, count in ((0.0, 1, n // 2), (np.pi, 0, n - n // 2)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + delta
        arm = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (count, 2)) * noise
        X.append(arm)
        labels.append(np.full(count, label))
    return _finish(f"spiral (n={n}, noise={noise:g})", np.concatenate(X), np.concatenate(labels), test_ratio, rng, 1 / 6)


def moons(n, noise, test_ratio, seed):
    """scikit-learn's 'moons': two interleaving half circles with Gaussian noise."""
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    outer = np.stack([np.cos(np.linspace(0, np.pi, n_out)), np.sin(np.linspace(0, np.pi, n_out))], axis=1)
    inner = np.stack([1 - np.cos(np.linspace(0, np.pi, n_in)), 0.5 - np.sin(np.linspace(0, np.pi, n_in))], axis=1)
    X = np.concatenate([outer, inner]) + rng.normal(0, noise, (n, 2))
    X = (X - [0.5, 0.25]) / 1.5  # centre the pair on the origin, within about [-1, 1]
    labels = np.r_[np.zeros(n_out), np.ones(n_in)]
    return _finish(f"moons (n={n}, noise={noise:g})", X, labels, test_ratio, rng, 1.0)


def flower(n, noise, test_ratio, seed):
    """The course's planar 'flower': eight petals in two classes (noise is the course's 0.2)."""
    rng = np.random.default_rng(seed)
    half, petals = n // 2, 4
    X, labels = [], []
    for j, count in ((0, half), (1, n - half)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, count) + rng.normal(0, noise, count)
        r = petals * np.sin(4 * t) + rng.normal(0, noise, count)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        labels.append(np.full(count, j))
    return _finish(f"flower (n={n}, noise={noise:g})", np.concatenate(X), np.concatenate(labels), test_ratio, rng, 1 / 4)


SOURCES = (
    DatasetSource("circle", "Circle", "A disc of one class inside a ring of the other (TensorFlow Playground).",
                  _common(noise=0.1, max_noise=0.5), circle),
    DatasetSource("xor", "Exclusive or", "Four quadrants, opposite ones sharing a class (TensorFlow Playground).",
                  _common(noise=0.1, max_noise=0.5), xor),
    DatasetSource("gauss", "Two Gaussians", "Two Gaussian blobs; noise widens them (TensorFlow Playground).",
                  _common(noise=0.1, max_noise=0.5), gauss),
    DatasetSource("spiral", "Spiral", "Two interleaved spiral arms (TensorFlow Playground).",
                  _common(noise=0.1, max_noise=0.5), spiral),
    DatasetSource("moons", "Moons", "Two interleaving half circles (scikit-learn's make_moons).",
                  _common(noise=0.2), moons),
    DatasetSource("flower", "Flower", "The course's planar 'flower' data set: petals of two colours.",
                  _common(n=400, noise=0.2), flower),
)


@hookimpl
def register_datasets(register):
    for source in SOURCES:
        register(source)
