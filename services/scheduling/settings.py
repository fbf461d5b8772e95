from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class SchedulingSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore", populate_by_name=True)

    service_name: str = "scheduling"
