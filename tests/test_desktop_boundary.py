"""The boundary computed for the views: the traced 0.5 contour and the misclassified points."""

from __future__ import annotations

import numpy as np

from regcore.boundary import contour_segments


def test_the_contour_of_a_disc_lies_on_its_circle():
    xs = np.linspace(-1, 1, 120)
    X, Y = np.meshgrid(xs, xs)
    image = 1 / (1 + np.exp(-20 * (0.5 - np.hypot(X, Y))))  # P > 0.5 inside radius 0.5
    x, y = contour_segments(image, 0.5, (-1, 1, -1, 1))
    assert len(x) == len(y) and len(x) % 2 == 0 and len(x) > 200
    assert np.allclose(np.hypot(x, y), 0.5, atol=2e-3)
    angles = np.arctan2(y, x)
    assert np.histogram(angles, bins=8, range=(-np.pi, np.pi))[0].min() > 0  # all the way round


def test_no_contour_when_nothing_crosses_the_level_and_two_segments_in_a_saddle():
    assert len(contour_segments(np.full((10, 10), 0.9), 0.5, (0, 1, 0, 1))[0]) == 0
    x, y = contour_segments(np.array([[1.0, 0.0], [0.0, 1.0]]), 0.5, (0, 1, 0, 1))
    assert sorted(zip(x.tolist(), y.tolist())) == [(0.0, 0.5), (0.5, 0.0), (0.5, 1.0), (1.0, 0.5)]
