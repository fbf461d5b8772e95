from services.scheduling import models  # noqa: F401  (registers every table on the metadata)
from services.scheduling.db import ServiceTable
from shared.migrations import run_env

run_env(ServiceTable.metadata, schema="scheduling")
