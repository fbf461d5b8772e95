from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class EvidenceSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EVIDENCE_", extra="ignore", populate_by_name=True)

    service_name: str = "evidence"
    required_secrets = ("client_secret",)
    # Where artifact files live (EVIDENCE_STORAGE_DIR); <var_dir>/evidence when not set.
    storage_dir: Path | None = None
    max_upload_bytes: int = Field(25 * 1024 * 1024, ge=1)

    @property
    def files_dir(self) -> Path:
        return self.storage_dir or self.var_dir / "evidence"
