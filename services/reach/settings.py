from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class ReachSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REACH_", extra="ignore", populate_by_name=True)

    service_name: str = "reach"
