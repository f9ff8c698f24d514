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
from linli.renewal.models.progress import (
    ProgressLine,
    ProgressPhoto,
    ProgressProblem,
    ProgressReport,
)
from linli.renewal.models.projects import (
    DEFAULT_SATISFACTION_THRESHOLD,
    FundingLine,
    FundingSource,
    Project,
    ProjectItem,
    ProjectQuerySet,
)
from linli.renewal.models.reports import IssuedReport, ReportFormat, ReportKind, ReportStatus
from linli.renewal.models.supervision import (
    SupervisionItem,
    SupervisionKind,
    SupervisionStatus,
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
from linli.renewal.supervision import ChainLevel, Light

__all__ = [
    "DEFAULT_REVIEW_WORKDAYS",
    "DEFAULT_SATISFACTION_THRESHOLD",
    "REVIEWING_KINDS",
    "AcceptanceRecord",
    "CatalogueItem",
    "ChainLevel",
    "ContentCategory",
    "DecisionOutcome",
    "DecisionRecord",
    "FundingLine",
    "FundingSource",
    "IssuedReport",
    "Light",
    "LocalTag",
    "OutputIndicator",
    "ProgressLine",
    "ProgressPhoto",
    "ProgressProblem",
    "ProgressReport",
    "Project",
    "ProjectItem",
    "ProjectQuerySet",
    "ReportFormat",
    "ReportKind",
    "ReportStatus",
    "Review",
    "ReviewQuerySet",
    "ReviewRule",
    "ReviewStatus",
    "RuleScope",
    "Stage",
    "StageRecord",
    "SupervisionItem",
    "SupervisionKind",
    "SupervisionStatus",
    "TagGroup",
    "Transition",
    "Unit",
]
