from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class ReachSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REACH_", extra="ignore", populate_by_name=True)

    service_name: str = "reach"
    required_secrets = ("client_secret",)
    # Partners never see a count of fewer people than this (a network may set its own, higher or
    # lower, in its organization attributes as "min_cell_size").
    min_cell_size: int = Field(10, ge=1)
    # Off only for processes that must not read the other services' feeds (some tests).
    consume_feeds: bool = True
    feed_poll_interval: float = Field(0.3, gt=0)
    feed_page_size: int = Field(500, ge=1, le=1000)
    # How often, at most, an idle feed's "caught up at" time is written (the figures' as_of).
    feed_as_of_every: float = Field(1.0, ge=0)
    # The in-memory index of the read model (services/reach/engine/index.py): refreshed this
    # often in the background, and by a request that finds its last refresh older than
    # index_max_age (with consume_feeds off, by every request).
    index_refresh_interval: float = Field(1.0, gt=0)
    index_max_age: float = Field(1.0, ge=0)
