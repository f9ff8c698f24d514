"""The stage gates of a renovation project: a pure engine over plain facts (no ORM).

A project moves application -> design -> residents' decision -> joint review -> tender ->
works started -> completed -> joint acceptance -> handed over, one stage at a time. Before
works start it may also go back to design (a rejected joint review sends it there
automatically; a manual return needs a reason). Every gate is listed in ``docs/renewal.md``:

=================  ===============================================================
entering           requires
=================  ===============================================================
residents' dec.    at least one catalogue item (the plan residents decide on)
joint review       a residents' decision recorded, approved, with its document, and
                   at least one department required by the review rules
tender             every required department approved in the current review round
works started      the same approvals, and a construction firm
completed          progress at 100%
joint acceptance   an acceptance record whose satisfaction reaches the threshold
handed over        the after-care owner named
=================  ===============================================================

``refusals(facts, to)`` lists every reason a move is refused (empty: allowed); ``options``
gives the page its buttons; ``check`` raises :class:`TransitionRefused`. A service loads the
facts from the database, calls the engine and stores the transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from linli.core.errors import Invalid


class Stage(models.TextChoices):
    """The nine stages of a renovation project, in order."""

    APPLICATION = "application", _("申报")
    DESIGN = "design", _("设计")
    DECISION = "decision", _("居民决策")
    JOINT_REVIEW = "joint_review", _("联审联批")
    TENDER = "tender", _("招标")
    WORKS = "works", _("开工建设")
    COMPLETED = "completed", _("完工")
    ACCEPTANCE = "acceptance", _("联合验收")
    HANDED_OVER = "handed_over", _("移交管护")


ORDER: tuple[Stage, ...] = tuple(Stage)
#: Stages from which a project may return to design (before works start).
RETURNS_TO_DESIGN_FROM = frozenset({Stage.DECISION, Stage.JOINT_REVIEW, Stage.TENDER})
#: Stages in which the project's compounds are under construction.
UNDER_WAY = frozenset({Stage.WORKS, Stage.COMPLETED, Stage.ACCEPTANCE})
FULL_PROGRESS = Decimal(100)


def index(stage: str) -> int:
    """Position of ``stage`` in the sequence (application is 0)."""
    return ORDER.index(Stage(stage))


def next_stage(stage: str) -> Stage | None:
    """The stage after ``stage`` (None after handover)."""
    i = index(stage)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


@dataclass(frozen=True)
class Refusal:
    """One reason a transition is refused, in Chinese and English, with a stable code."""

    code: str
    zh: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.zh} ({self.en})"


class TransitionRefused(Invalid):
    """A transition breaks one or more gates; ``refusals`` lists each reason."""

    def __init__(self, refusals: tuple[Refusal, ...]) -> None:
        super().__init__(
            ";".join(r.zh for r in refusals),
            "; ".join(r.en for r in refusals),
            code=refusals[0].code,
        )
        self.refusals = refusals


@dataclass(frozen=True)
class DecisionFacts:
    """The latest residents' decision recorded for the project."""

    approved: bool
    has_document: bool


@dataclass(frozen=True)
class ReviewRound:
    """The current joint-review round: department names by the state of their review."""

    approved: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectFacts:
    """What the gates need to know about a project, as plain values."""

    stage: Stage
    item_count: int = 0
    decision: DecisionFacts | None = None
    required_reviewers: int = 0
    review_round: ReviewRound | None = None
    has_construction_firm: bool = False
    progress_percent: Decimal = Decimal(0)
    acceptance_satisfaction: Decimal | None = None
    satisfaction_threshold: Decimal = Decimal(80)
    has_aftercare_owner: bool = False


@dataclass(frozen=True)
class Option:
    """A stage the project could move to from where it is, and why it may not (yet)."""

    stage: Stage
    refusals: tuple[Refusal, ...]
    backward: bool = False

    @property
    def allowed(self) -> bool:
        return not self.refusals


def _pct(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _names(names: tuple[str, ...]) -> str:
    return "、".join(names)


def _label(stage: Stage) -> str:
    """The stage's Chinese name, whatever language the request speaks."""
    with translation.override("zh-hans"):
        return str(stage.label)


def _route(facts: ProjectFacts, to: Stage, reason: str) -> tuple[Refusal, ...]:
    """Refusals that depend only on where the project is and where it would go."""
    here = facts.stage
    if to == here:
        return (
            Refusal(
                "same_stage",
                f"项目已处于“{_label(to)}”阶段",
                f"the project is already at stage {to.value}",
            ),
        )
    if here == Stage.HANDED_OVER:
        return (
            Refusal(
                "terminal",
                "项目已移交管护,不能再变更阶段",
                "the project has been handed over; its stage cannot change",
            ),
        )
    if to == Stage.DESIGN and here in RETURNS_TO_DESIGN_FROM:
        if not reason.strip():
            return (
                Refusal(
                    "reason_required",
                    "退回设计须说明原因",
                    "returning a project to design needs a reason",
                ),
            )
        return ()
    if index(to) < index(here):
        return (
            Refusal(
                "backward",
                f"不能从“{_label(here)}”退回“{_label(to)}”(开工前只能退回设计)",
                f"cannot go back from {here.value} to {to.value} "
                "(only back to design, before works start)",
            ),
        )
    if to != next_stage(here):
        following = next_stage(here)
        assert following is not None
        return (
            Refusal(
                "skip",
                f"只能推进到下一阶段“{_label(following)}”,不能跳过",
                f"only the next stage ({following.value}) can follow; stages cannot be skipped",
            ),
        )
    return ()


def _approvals(facts: ProjectFacts) -> list[Refusal]:
    round_ = facts.review_round
    if round_ is None or not (round_.approved or round_.pending or round_.rejected):
        return [
            Refusal(
                "no_review_round",
                "尚未发起联审联批",
                "no joint review has been requested",
            )
        ]
    found: list[Refusal] = []
    if round_.rejected:
        found.append(
            Refusal(
                "reviews_rejected",
                f"联审被驳回:{_names(round_.rejected)}",
                f"the joint review was rejected by: {_names(round_.rejected)}",
            )
        )
    if round_.pending:
        found.append(
            Refusal(
                "reviews_pending",
                f"尚有部门未审批通过:{_names(round_.pending)}",
                f"departments still to approve: {_names(round_.pending)}",
            )
        )
    return found


def _requirements(facts: ProjectFacts, to: Stage) -> list[Refusal]:
    """Refusals from the gate guarding ``to`` (a forward move by one stage)."""
    found: list[Refusal] = []
    if to == Stage.DECISION and facts.item_count == 0:
        found.append(
            Refusal(
                "no_items",
                "项目尚无改造内容,居民无从决策",
                "the project has no renovation items for residents to decide on",
            )
        )
    elif to == Stage.JOINT_REVIEW:
        if facts.required_reviewers == 0:
            found.append(
                Refusal(
                    "no_reviewers",
                    "按联审规则没有需要审批的部门,请先配置联审规则",
                    "the review rules require no department for this project; "
                    "set up the joint-review rules first",
                )
            )
        decision = facts.decision
        if decision is None:
            found.append(
                Refusal(
                    "no_decision",
                    "尚未登记居民决策,不能进入联审联批",
                    "no residents' decision is recorded; the joint review cannot start",
                )
            )
        else:
            if not decision.approved:
                found.append(
                    Refusal(
                        "decision_not_approved",
                        "最近一次居民决策未通过",
                        "the latest residents' decision did not approve the plan",
                    )
                )
            if not decision.has_document:
                found.append(
                    Refusal(
                        "decision_without_document",
                        "居民决策缺少书面材料(或关联的业主表决)",
                        "the residents' decision has no document (or linked owner vote)",
                    )
                )
    elif to == Stage.TENDER:
        found.extend(_approvals(facts))
    elif to == Stage.WORKS:
        found.extend(_approvals(facts))
        if not facts.has_construction_firm:
            found.append(
                Refusal(
                    "no_construction_firm",
                    "尚未确定施工单位",
                    "no construction firm has been assigned",
                )
            )
    elif to == Stage.COMPLETED and facts.progress_percent < FULL_PROGRESS:
        found.append(
            Refusal(
                "progress_incomplete",
                f"工程进度为 {_pct(facts.progress_percent)},未达 100%,不能完工",
                f"progress is {_pct(facts.progress_percent)}; completion needs 100%",
            )
        )
    elif to == Stage.ACCEPTANCE:
        satisfaction = facts.acceptance_satisfaction
        threshold = facts.satisfaction_threshold
        if satisfaction is None:
            found.append(
                Refusal(
                    "no_acceptance_record",
                    "尚未登记联合验收记录",
                    "no joint acceptance record is registered",
                )
            )
        elif satisfaction < threshold:
            found.append(
                Refusal(
                    "satisfaction_below_threshold",
                    f"居民满意度 {_pct(satisfaction)} 低于要求的 {_pct(threshold)}",
                    f"resident satisfaction {_pct(satisfaction)} is below the required "
                    f"{_pct(threshold)}",
                )
            )
    elif to == Stage.HANDED_OVER and not facts.has_aftercare_owner:
        found.append(
            Refusal(
                "no_aftercare_owner",
                "移交须指定后期管护单位",
                "a handover must name the after-care owner",
            )
        )
    return found


def refusals(facts: ProjectFacts, to: str, *, reason: str = "") -> tuple[Refusal, ...]:
    """Every reason the move to ``to`` is refused; empty when it is allowed."""
    target = Stage(to)
    route = _route(facts, target, reason)
    if route:
        return route
    if target == Stage.DESIGN and facts.stage in RETURNS_TO_DESIGN_FROM:
        return ()
    return tuple(_requirements(facts, target))


def check(facts: ProjectFacts, to: str, *, reason: str = "") -> None:
    """Raise :class:`TransitionRefused` unless the move to ``to`` is allowed."""
    found = refusals(facts, to, reason=reason)
    if found:
        raise TransitionRefused(found)


def options(facts: ProjectFacts) -> list[Option]:
    """The moves a project page offers: the next stage (with its refusals, if any) and, before
    works start, the return to design (allowed given a reason)."""
    found: list[Option] = []
    following = next_stage(facts.stage)
    if following is not None:
        found.append(Option(following, refusals(facts, following)))
    if facts.stage in RETURNS_TO_DESIGN_FROM:
        found.append(Option(Stage.DESIGN, (), backward=True))
    return found
