from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class EvidenceSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EVIDENCE_", extra="ignore", populate_by_name=True)

    service_name: str = "evidence"
