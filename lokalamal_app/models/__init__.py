"""All models, imported here so that Alembic and the app see the whole schema."""

from .audit import AuditEvent
from .company import Company, Membership
from .goal import Goal
from .ledger import BoardVersion, LedgerEntry, Tally
from .notification import Notification
from .payroll import MatchRule, MatchUsage, PayrollDeduction, PayrollRun, PayrollScheme, Pledge
from .setting import Setting
from .system import LoginThrottle, OutboxMessage
from .team import Team, TeamMember
from .user import User

__all__ = [
    "AuditEvent",
    "BoardVersion",
    "Company",
    "Goal",
    "LedgerEntry",
    "LoginThrottle",
    "Membership",
    "Notification",
    "MatchRule",
    "MatchUsage",
    "PayrollDeduction",
    "PayrollRun",
    "PayrollScheme",
    "Pledge",
    "Setting",
    "OutboxMessage",
    "Tally",
    "Team",
    "TeamMember",
    "User",
]
