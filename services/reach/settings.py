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
    # Each partner key's queries: a burst, then this many a second (per reach process).
    partner_query_burst: int = Field(60, ge=1)
    partner_queries_per_second: float = Field(1.0, gt=0)
    # Off only for processes that must not read the other services' feeds (some tests).
    consume_feeds: bool = True
    feed_poll_interval: float = Field(0.3, gt=0)
    feed_page_size: int = Field(500, ge=1, le=1000)
    # How often, at most, an idle feed's "caught up at" time is written (the figures' as_of).
    feed_as_of_every: float = Field(1.0, ge=0)

    # Webhooks (services/reach/webhooks). A month is final this many days after it ends.
    month_final_after_days: int = Field(7, ge=0)
    # Off only for processes that must not deliver webhooks (tests that drive delivery by hand).
    webhooks_enabled: bool = True
    # Plain http to localhost only (tests, a partner developer's own machine); https otherwise.
    webhook_allow_http_localhost: bool = False
    webhook_timeout: float = Field(5.0, gt=0, le=30)
    # Seconds to wait after the 1st, 2nd, ... failed attempt (the last repeats); then failed
    # once webhook_max_attempts were made. Default: 1 min, 5 min, 30 min, 2 h, 12 h.
    webhook_retry_delays: list[float] = Field([60, 300, 1800, 7200, 43200], min_length=1)
    webhook_max_attempts: int = Field(6, ge=1)
    webhook_poll_interval: float = Field(1.0, gt=0)
    # How often the worker looks for months that became final.
    webhook_scan_interval: float = Field(60.0, gt=0)
    webhook_batch_size: int = Field(20, ge=1, le=200)
    # The in-memory index of the read model (services/reach/engine/index.py): refreshed this
    # often in the background, and by a request that finds its last refresh older than
    # index_max_age (with consume_feeds off, by every request).
    index_refresh_interval: float = Field(1.0, gt=0)
    index_max_age: float = Field(1.0, ge=0)
