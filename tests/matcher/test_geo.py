"""Commute reach on the unit sphere agrees with haversine distances."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matcher.geo import haversine_km, unit_vectors, within_km

latitudes = st.floats(min_value=54.5, max_value=57.8)
longitudes = st.floats(min_value=8.0, max_value=15.2)


@given(
    home=st.tuples(latitudes, longitudes),
    places=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=30),
    limit=st.floats(min_value=0.0, max_value=400.0),
)
def test_within_reach_agrees_with_haversine(
    home: tuple[float, float], places: list[tuple[float, float]], limit: float
) -> None:
    lat = np.array([p[0] for p in places])
    lon = np.array([p[1] for p in places])
    distance = haversine_km(home[0], home[1], lat, lon)
    (home_xyz,) = unit_vectors(np.array([home[0]]), np.array([home[1]]))
    near = within_km(home_xyz, unit_vectors(lat, lon), limit)
    clear = np.abs(distance - limit) > 1e-3  # the two may differ only at the limit itself
    assert (near[clear] == (distance[clear] <= limit)).all()


def test_unknown_places_are_never_within_reach() -> None:
    (home,) = unit_vectors(np.array([55.68]), np.array([12.57]))
    places = unit_vectors(np.array([np.nan, 55.68]), np.array([12.57, np.nan]))
    assert not within_km(home, places, 20_000).any()


def test_copenhagen_to_aarhus() -> None:
    (copenhagen,) = unit_vectors(np.array([55.6761]), np.array([12.5683]))
    aarhus = unit_vectors(np.array([56.1567]), np.array([10.2108]))
    assert within_km(copenhagen, aarhus, 160).all()
    assert not within_km(copenhagen, aarhus, 150).any()
