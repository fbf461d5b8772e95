"""Every table of the scheduling service, imported in one place for alembic and the app."""

from services.scheduling.attendance.models import Attendance
from services.scheduling.credit.models import CreditAction, CreditApproval
from services.scheduling.db import OutboxEvent
from services.scheduling.event_imports.models import (
    EventImportEvent,
    EventImportJob,
    EventImportLineError,
)
from services.scheduling.events.models import Event, Slot
from services.scheduling.idempotency.models import IdempotencyRecord
from services.scheduling.notifications.models import FeedCursor, Notification
from services.scheduling.polls.models import Poll, PollAnswer, PollInvitee, PollOption
from services.scheduling.programs.models import CohortEntry, Program
from services.scheduling.registrations.models import Registration
from services.scheduling.rosters.models import AuditEntry
from services.scheduling.sessions.models import Session
from services.scheduling.signin_sheets.models import SignInSheetJob, SignInSheetLineError

__all__ = ["Attendance", "AuditEntry", "CohortEntry", "CreditAction", "CreditApproval", "Event",
           "EventImportEvent", "EventImportJob", "EventImportLineError", "FeedCursor",
           "IdempotencyRecord",
           "Notification", "OutboxEvent", "Poll", "PollAnswer", "PollInvitee", "PollOption",
           "Program", "Registration", "Session", "SignInSheetJob", "SignInSheetLineError", "Slot"]
