"""Settings common to every service; each service subclasses with its own env prefix."""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared(name: str) -> AliasChoices:
    # Suite-wide values come from CASCADE_<NAME> whatever the service's own prefix is.
    return AliasChoices(f"CASCADE_{name}")


class BaseServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str | None = None
    var_dir: Path = Field(REPO_ROOT / "var", validation_alias=_shared("VAR_DIR"))
    gateway_url: str = Field("http://127.0.0.1:8000", validation_alias=_shared("GATEWAY_URL"))
    token_issuer: str = Field("cascade-identity", validation_alias=_shared("TOKEN_ISSUER"))
    log_level: str = Field("INFO", validation_alias=_shared("LOG_LEVEL"))
    # The secret with which a service proves itself to identity to read the other feeds.
    service_secret: str = Field("", validation_alias=_shared("SERVICE_SECRET"))
    # At most this many seconds after a login session ends, its tokens are refused here too.
    revocation_cache_seconds: float = Field(
        30.0, ge=0, validation_alias=_shared("REVOCATION_CACHE_SECONDS"))

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / (self.service_name + '.db')}"

    @property
    def jwks_url(self) -> str:
        return f"{self.gateway_url}/api/identity/v1/jwks.json"
