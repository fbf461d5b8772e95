"""Outgoing messages: a durable queue written with the change that causes it, sent by a worker.

Other features call `notifications.enqueue(db, ...)` (see service.py for the contract)."""

from services.scheduling.notifications.service import enqueue

__all__ = ["enqueue"]
