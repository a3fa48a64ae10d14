"""Straight-line distances between places."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from one point to many (NaN where unknown)."""
    phi1 = np.radians(lat1)
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = phi2 - phi1
    dlambda = np.radians(np.asarray(lon2, dtype=np.float64) - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (rows of x, y, z); NaN where the place is unknown."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def within_km(home: np.ndarray, points: np.ndarray, limit_km: float) -> np.ndarray:
    """Which `points` (from `unit_vectors`) lie within `limit_km` of `home` along the surface.

    Two points are within an arc of angle θ exactly when the dot product of
    their unit vectors is at least cos θ: one multiply-add per point instead
    of haversine's trigonometry, so a whole catalogue is checked in well
    under a millisecond. Unknown places (NaN) are never within reach.
    """
    angle = min(limit_km / EARTH_RADIUS_KM, np.pi)
    with np.errstate(invalid="ignore"):
        return np.asarray(points @ home >= np.cos(angle))
