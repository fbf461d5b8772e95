from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class IdentitySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    service_name: str = "identity"
    # Lifetimes of the access tokens identity signs, in seconds.
    access_token_ttl: int = 1800
    service_token_ttl: int = 900
    partner_token_ttl: int = 300
