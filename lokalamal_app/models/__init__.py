"""All models, imported here so that Alembic and the app see the whole schema."""

from .activity import Activity, ActivityReaction, CreativityVote, CreativityVoteSetting
from .audit import AuditEvent
from .campaign import Campaign
from .cashbox import CashBox, CashBoxCount, CashBoxEvent
from .challenge import Challenge, ChallengeParticipant, ChallengeTally
from .company import Company, JoinRequest, Membership
from .engagement import EmbedOrigin, Milestone, WebhookDelivery, WebhookEndpoint
from .goal import Goal
from .ledger import BoardVersion, LedgerEntry, Tally
from .mission import ImpactLine, Inquiry, Partner, SwishFile, SwishPayment
from .notification import Notification
from .payroll import MatchRule, MatchUsage, PayrollDeduction, PayrollRun, PayrollScheme, Pledge
from .reconciliation import BankFile, BankPayment
from .round import ChallengeScoring, Round, RoundHonour, RoundResult
from .setting import Setting
from .system import LoginThrottle, OutboxMessage
from .team import Team, TeamMember
from .user import User

__all__ = [
    "Activity",
    "ActivityReaction",
    "CreativityVote",
    "CreativityVoteSetting",
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
    "ChallengeScoring",
    "ChallengeTally",
    "Company",
    "EmbedOrigin",
    "Goal",
    "ImpactLine",
    "Inquiry",
    "JoinRequest",
    "LedgerEntry",
    "LoginThrottle",
    "Membership",
    "Notification",
    "MatchRule",
    "Milestone",
    "MatchUsage",
    "PayrollDeduction",
    "PayrollRun",
    "PayrollScheme",
    "Pledge",
    "Round",
    "RoundHonour",
    "RoundResult",
    "Setting",
    "OutboxMessage",
    "Partner",
    "SwishFile",
    "SwishPayment",
    "Tally",
    "Team",
    "TeamMember",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
