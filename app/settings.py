"""One Settings object per process, built in the entry point and passed down (prefix CHEDAI_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.i18n import DEFAULT_LOCALE, supported_locale


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "chedai"


class Settings(BaseSettings):
    """Where the app keeps its data and how it talks to the world.

    ``data_dir`` holds the local SQLite database, the demo PKI and the trained model.
    ``server_url`` unset means demo mode: the same code paths on the seeded local database.
    ``tsa_url``: an RFC 3161 timestamp server for contract signatures (unset: none).
    ``signing_key_dir``: a deployment's contract-signing keys (``buyer.key.pem``/``buyer.pem``,
    ``lender.key.pem``/``lender.pem``, ``root-ca.pem``, optional ``chain/*.pem``); unset: the
    demo PKI under ``data_dir/pki``.
    ``server_field_key_file``: backend only, the 32-byte key that seals a buyer's figures in
    the server's database (``backend.sealing``); unset: ``server-field.key`` in ``data_dir``,
    created on first use. Servers sharing one database must share it.
    ``locale``: always one the app speaks (``zh_CN`` or ``en_US``; see ``_spoken``).
    """

    model_config = SettingsConfigDict(env_prefix="CHEDAI_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    db_path: Path | None = None
    locale: str = DEFAULT_LOCALE
    server_url: str | None = None
    server_username: str | None = None  # the sync account (app.sync_service signs in with it)
    server_password: str | None = None
    database_url: str | None = None  # backend only: sqlite (default) or postgresql+psycopg://
    demo_seed: int = 20261128
    tsa_url: str | None = None
    signing_key_dir: Path | None = None
    server_field_key_file: Path | None = None

    @field_validator("locale")
    @classmethod
    def _spoken(cls, value: str) -> str:
        """A language the app speaks (``app.i18n.supported_locale``): ``en_GB`` is English,
        ``fr_FR`` the default, never English text with French numbers and dates."""
        return supported_locale(value)

    @property
    def local_db_path(self) -> Path:
        return self.db_path or (self.data_dir / "chedai.db")

    @property
    def demo_mode(self) -> bool:
        return not self.server_url
