"""All models, imported here so that Alembic and the app see the whole schema."""

from .audit import AuditEvent
from .campaign import Campaign
from .cashbox import CashBox, CashBoxCount, CashBoxEvent
from .challenge import Challenge, ChallengeParticipant, ChallengeTally
from .company import Company, JoinRequest, Membership
from .goal import Goal
from .ledger import BoardVersion, LedgerEntry, Tally
from .mission import ImpactLine, Inquiry, Partner, SwishFile, SwishPayment
from .notification import Notification
from .payroll import MatchRule, MatchUsage, PayrollDeduction, PayrollRun, PayrollScheme, Pledge
from .reconciliation import BankFile, BankPayment
from .setting import Setting
from .system import LoginThrottle, OutboxMessage
from .team import Team, TeamMember
from .user import User

__all__ = [
    "AuditEvent",
    "BankFile",
    "BankPayment",
    "BoardVersion",
    "Campaign",
    "CashBox",
    "CashBoxCount",
    "CashBoxEvent",
    "Challenge",
    "ChallengeParticipant",
    "ChallengeTally",
    "Company",
    "Goal",
    "ImpactLine",
    "Inquiry",
    "JoinRequest",
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
    "Partner",
    "SwishFile",
    "SwishPayment",
    "Tally",
    "Team",
    "TeamMember",
    "User",
]
