"""Settings common to every service; each service subclasses with its own env prefix."""

from pathlib import Path
from typing import ClassVar

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
    # This service's own client secret for identity's client-credentials grant
    # (<SERVICE>_CLIENT_SECRET): identity keeps only its SHA-256, and a token it gives names only
    # the services this one calls. Each service has its own; `cascade run` makes them in var/.
    client_secret: str = ""
    # Empty secrets are refused at start-up unless this is set (tests, or one service run by
    # hand); placeholders such as "replace-me" are refused always. `cascade run` generates every
    # secret, so it never needs this.
    allow_empty_secrets: bool = Field(False, validation_alias=_shared("ALLOW_EMPTY_SECRETS"))

    # The settings holding secrets this service cannot run without (checked at start-up).
    required_secrets: ClassVar[tuple[str, ...]] = ()
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

    def check_secrets(self) -> None:
        """Refuses to start with a placeholder secret, or an empty one outside development."""
        for name in self.required_secrets:
            problem = secret_problem(getattr(self, name), allow_empty=self.allow_empty_secrets)
            if problem:
                env = f"{self.model_config.get('env_prefix', '')}{name}".upper()
                raise InsecureSettings(f"{env} {problem}")


class InsecureSettings(RuntimeError):
    """A secret is missing or still holds an example value: the app refuses to start."""


# Words that mark the example values of deploy/example.env and the like.
_PLACEHOLDERS = ("replace", "change-me", "changeme", "example", "placeholder", "secret")
MIN_SECRET_LENGTH = 32


def secret_problem(value: str, *, allow_empty: bool = False) -> str | None:
    """Why `value` cannot serve as a secret, or None when it can."""
    if not value:
        return None if allow_empty else "is empty: set it to a long random string."
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDERS):
        return "still holds a placeholder: set it to a long random string."
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters: use a long random string."
    return None
