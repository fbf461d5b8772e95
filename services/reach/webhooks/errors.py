"""Errors of webhooks, each with a stable code a client can branch on."""

from shared.errors import Conflict, InvalidInput, NotFound


class WebhookNotFound(NotFound):
    code, title = "webhook_not_found", "Webhook subscription not found"


class DeliveryNotFound(NotFound):
    code, title = "webhook_delivery_not_found", "Webhook delivery not found"


class InvalidWebhookUrl(InvalidInput):
    code, title = "invalid_webhook_url", "Invalid webhook URL"


class UnknownPartner(InvalidInput):
    code, title = "unknown_partner", "No such partner of this network"


class DeliveryInProgress(Conflict):
    code, title = "webhook_delivery_in_progress", "Delivery is being attempted right now"
    headers = {"Retry-After": "10"}
