from services.evidence import models  # noqa: F401  (registers every table on the metadata)
from services.evidence.db import ServiceTable
from shared.migrations import run_env

run_env(ServiceTable.metadata, schema="evidence")
