"""Models of the renewal app: the catalogue, projects, and their way through the stages."""

from linli.renewal.gates import Stage
from linli.renewal.models.catalogue import (
    DEFAULT_REVIEW_WORKDAYS,
    REVIEWING_KINDS,
    CatalogueItem,
    ContentCategory,
    LocalTag,
    OutputIndicator,
    ReviewRule,
    RuleScope,
    TagGroup,
    Unit,
)
from linli.renewal.models.projects import (
    DEFAULT_SATISFACTION_THRESHOLD,
    FundingLine,
    FundingSource,
    Project,
    ProjectItem,
    ProjectQuerySet,
)
from linli.renewal.models.workflow import (
    AcceptanceRecord,
    DecisionOutcome,
    DecisionRecord,
    Review,
    ReviewQuerySet,
    ReviewStatus,
    StageRecord,
    Transition,
)

__all__ = [
    "DEFAULT_REVIEW_WORKDAYS",
    "DEFAULT_SATISFACTION_THRESHOLD",
    "REVIEWING_KINDS",
    "AcceptanceRecord",
    "CatalogueItem",
    "ContentCategory",
    "DecisionOutcome",
    "DecisionRecord",
    "FundingLine",
    "FundingSource",
    "LocalTag",
    "OutputIndicator",
    "Project",
    "ProjectItem",
    "ProjectQuerySet",
    "Review",
    "ReviewQuerySet",
    "ReviewRule",
    "ReviewStatus",
    "RuleScope",
    "Stage",
    "StageRecord",
    "TagGroup",
    "Transition",
    "Unit",
]
