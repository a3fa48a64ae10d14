from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeEncoder

from matcher.calibration import REFERENCE_OPENINGS, SimilarityScale, measure_scale
from matcher.encoders import l2_normalise


def test_each_phrase_is_measured_against_its_own_baseline() -> None:
    references = l2_normalise(np.eye(4, dtype=np.float32))
    scale = SimilarityScale(references=references, span=0.2)
    # A broad phrase close to every reference has a high baseline...
    broad = l2_normalise(np.array([[1.0, 1.0, 1.0, 1.0]]))
    # ...a narrow one a low baseline.
    narrow = l2_normalise(np.array([[1.0, 0.0, 0.0, 0.0]]))
    assert scale.baselines(broad)[0, 0] == pytest.approx(0.5)
    assert scale.baselines(narrow)[0, 0] == pytest.approx(0.0)
    cosines = np.array([[0.5, 0.6, 0.7, 0.9]])
    assert np.allclose(scale.fit(cosines, scale.baselines(broad)), [0, 0.5, 1, 1])


def test_rise_is_the_fit_before_clipping() -> None:
    scale = SimilarityScale(references=l2_normalise(np.eye(4, dtype=np.float32)), span=0.2)
    cosines = np.array([[0.4, 0.5, 0.7, 0.9]])
    baselines = np.array([[0.5]])
    assert np.allclose(scale.rise(cosines, baselines), [-0.5, 0, 1, 2])
    assert np.allclose(scale.fit(cosines, baselines), [0, 0, 1, 1])


def test_a_scale_needs_a_positive_span() -> None:
    with pytest.raises(ValueError, match="does not tell related texts"):
        SimilarityScale(references=np.zeros((1, 4), dtype=np.float32), span=0.0)


def test_measured_span_is_positive_and_wishes_fit_their_own_openings() -> None:
    encoder = FakeEncoder()
    scale = measure_scale(encoder)
    assert scale.span > 0
    assert scale.references.shape == (len(REFERENCE_OPENINGS), encoder.dimension)
