"""The standards app's models, split by subject; import them from here."""

from zhibiao.standards.models.announcements import (
    Announcement,
    AnnouncementKind,
    ChangeCause,
    Holding,
    StandardAlert,
    StatusChange,
)
from zhibiao.standards.models.catalogue import (
    STATUS_RANK,
    CatalogueSource,
    Level,
    LinkKind,
    Replacement,
    Standard,
    Status,
    TitleToken,
    search_key,
)
from zhibiao.standards.models.checks import Check, CheckItem, CheckState, Verdict
from zhibiao.standards.models.declarations import (
    Declaration,
    DeclarationStatus,
    DeclarationStep,
    DeclaredStandard,
)
from zhibiao.standards.models.groups import GroupStandard, GroupStandardDrafter
from zhibiao.standards.models.leaders import (
    Direction,
    EntryValue,
    Indicator,
    IndicatorKind,
    LeaderEntry,
    LeaderScheme,
    SchemeStatus,
)

__all__ = [
    "STATUS_RANK",
    "Announcement",
    "AnnouncementKind",
    "CatalogueSource",
    "ChangeCause",
    "Check",
    "CheckItem",
    "CheckState",
    "Declaration",
    "DeclarationStatus",
    "DeclarationStep",
    "DeclaredStandard",
    "Direction",
    "EntryValue",
    "GroupStandard",
    "GroupStandardDrafter",
    "Holding",
    "Indicator",
    "IndicatorKind",
    "LeaderEntry",
    "LeaderScheme",
    "Level",
    "LinkKind",
    "Replacement",
    "SchemeStatus",
    "Standard",
    "StandardAlert",
    "Status",
    "StatusChange",
    "TitleToken",
    "Verdict",
    "search_key",
]
