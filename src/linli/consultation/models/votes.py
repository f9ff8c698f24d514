"""Owner votes (业主共同决定) under Civil Code Art. 278 and the SPC counting rules.

* ``RuleProfile`` — the thresholds as data: Civil Code ordinary and major matters, and local
  profiles (unanimity in a stairwell, 80 % in favour, no objection, consent of the affected).
* ``Vote`` — a matter put to the owners of a compound, some buildings or some stairwells.
* ``Elector`` — the electorate, snapshotted when the vote opens: each dwelling with its
  registered area and its *voter key* (who counts as one owner in headcounts).
* ``Ballot`` — one per dwelling, chained by SHA-256 hashes in the order cast.

The counting itself is the pure engine in ``linli.consultation.tally``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Building, Compound, Dwelling, Stairwell, code_validator


class Matter(models.TextChoices):
    """The nine matters of Civil Code Art. 278 (1)–(9)."""

    RULES = "rules", _("制定和修改业主大会议事规则")
    COVENANT = "covenant", _("制定和修改管理规约")
    COMMITTEE = "committee", _("选举或更换业主委员会成员")
    MANAGER = "manager", _("选聘和解聘物业服务企业或者其他管理人")
    USE_FUND = "use_fund", _("使用建筑物及其附属设施的维修资金")
    RAISE_FUND = "raise_fund", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    CHANGE_USE = "change_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


#: Art. 278 para. 2: items (6)–(8) need three quarters of the participants.
MAJOR_MATTERS = frozenset({Matter.RAISE_FUND, Matter.REBUILD, Matter.CHANGE_USE})

#: Codes of the two Civil Code profiles (seeded by migration; the default by matter).
ORDINARY_PROFILE = "civil-code-ordinary"
MAJOR_PROFILE = "civil-code-major"


class ApprovalBase(models.TextChoices):
    PARTICIPANTS = "participants", _("参与表决的业主")
    ELECTORATE = "electorate", _("全体业主")


class RuleProfile(Timestamped):
    """Thresholds of a vote, as fractions ("2/3"; "0" for none).

    Participation needs at least ``participation_area`` of the electorate's area and at least
    ``participation_owners`` of its owners. Approval needs ``approval_area`` and
    ``approval_owners`` of the base (participants or the whole electorate): "more than" when
    ``approval_strict`` (过半数), otherwise "at least" (以上 includes the figure itself).
    ``no_objection``: not a single "no" ballot. ``affected_consent``: every dwelling marked
    affected (its exclusive part is touched, e.g. by an elevator shaft) votes yes.
    """

    code = models.CharField(_("编号"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=64)
    basis = models.CharField(_("依据"), max_length=255, blank=True)
    participation_area = models.CharField(_("参与面积比例"), max_length=16, default="2/3")
    participation_owners = models.CharField(_("参与人数比例"), max_length=16, default="2/3")
    approval_area = models.CharField(_("同意面积比例"), max_length=16, default="1/2")
    approval_owners = models.CharField(_("同意人数比例"), max_length=16, default="1/2")
    approval_strict = models.BooleanField(_("须超过比例(过半数)"), default=True)
    approval_base = models.CharField(
        _("同意比例基数"),
        max_length=16,
        choices=ApprovalBase.choices,
        default=ApprovalBase.PARTICIPANTS,
    )
    no_objection = models.BooleanField(_("无业主反对"), default=False)
    affected_consent = models.BooleanField(_("受影响业主须同意"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("表决规则")
        verbose_name_plural = _("表决规则")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from linli.consultation.tally import parse_fraction
        from linli.core.errors import Invalid

        errors = {}
        for name in (
            "participation_area",
            "participation_owners",
            "approval_area",
            "approval_owners",
        ):
            try:
                parse_fraction(getattr(self, name))
            except Invalid as exc:
                errors[name] = exc.message
        if errors:
            raise ValidationError(errors)


class VoteScope(models.TextChoices):
    COMPOUND = "compound", _("全小区")
    BUILDINGS = "buildings", _("楼栋")
    STAIRWELLS = "stairwells", _("单元")


class VoteStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待开始")
    OPEN = "open", _("投票中")
    NOTICE = "notice", _("公示中")
    FINAL = "final", _("已生效")
    CANCELLED = "cancelled", _("已撤销")


class Vote(Timestamped):
    """A matter put to the owners of a compound, of some of its buildings or stairwells."""

    title = models.CharField(_("表决事项"), max_length=128)
    description = models.TextField(_("说明"), blank=True)
    matter = models.CharField(_("事项类型"), max_length=16, choices=Matter.choices)
    profile = models.ForeignKey(
        RuleProfile, on_delete=models.PROTECT, related_name="votes", verbose_name=_("表决规则")
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="votes", verbose_name=_("小区")
    )
    scope_kind = models.CharField(
        _("表决范围"), max_length=16, choices=VoteScope.choices, default=VoteScope.COMPOUND
    )
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="votes", verbose_name=_("楼栋")
    )
    stairwells = models.ManyToManyField(
        Stairwell, blank=True, related_name="votes", verbose_name=_("单元")
    )
    #: Dwellings whose exclusive part the matter touches (profiles with affected_consent).
    affected_dwellings = models.ManyToManyField(
        Dwelling, blank=True, related_name="+", verbose_name=_("受影响房屋")
    )
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    status = models.CharField(
        _("状态"), max_length=16, choices=VoteStatus.choices, default=VoteStatus.SCHEDULED
    )
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    #: The tally as stored at close (the API's tally shape) and the chain head it covers.
    result = models.JSONField(_("表决结果"), null=True, blank=True)
    result_hash = models.CharField(_("结果哈希"), max_length=64, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )

    class Meta:
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["status", "closes_at"])]
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": "截止时间须晚于开始时间 (the vote must close after it opens)"}
            )

    @property
    def is_closed(self) -> bool:
        return self.status in (VoteStatus.NOTICE, VoteStatus.FINAL)


class Elector(models.Model):
    """One dwelling of a vote's electorate as it stood when the vote opened.

    ``voter_key`` is who counts as one owner (SPC interpretation, Art. 9): the dwellings
    sharing an owner share a key, all of the developer's unsold or undelivered dwellings share
    one key, and a dwelling with no registered owner is its own key. ``owner_ids`` and
    ``owner_names`` are the registered owners at the snapshot (any of them may cast the
    dwelling's ballot).
    """

    vote = models.ForeignKey(
        Vote, on_delete=models.CASCADE, related_name="electors", verbose_name=_("表决")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="+", verbose_name=_("房屋")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="+", verbose_name=_("单元")
    )
    area = models.DecimalField(_("专有部分面积(m²)"), max_digits=8, decimal_places=2)
    voter_key = models.CharField(_("计票主体"), max_length=64)
    owner_ids = models.JSONField(_("业主"), default=list)
    owner_names = models.CharField(_("业主姓名"), max_length=255, blank=True)
    is_developer = models.BooleanField(_("开发商持有"), default=False)
    affected = models.BooleanField(_("受影响"), default=False)

    class Meta:
        ordering = ["vote", "stairwell", "dwelling"]
        constraints = [models.UniqueConstraint(fields=["vote", "dwelling"], name="elector_unique")]
        indexes = [models.Index(fields=["vote", "voter_key"])]
        verbose_name = _("表决业主")
        verbose_name_plural = _("表决业主")

    def __str__(self) -> str:
        return f"{self.vote} · {self.dwelling}"


class Choice(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质")
    PROXY = "proxy", _("委托")


class Ballot(models.Model):
    """One dwelling's ballot; never changed once cast (the hash chain shows any edit).

    ``hash`` is SHA-256 over ``prev_hash`` and the ballot's canonical content
    (``linli.consultation.chain``); ``seq`` numbers the ballots of a vote from 1.
    """

    vote = models.ForeignKey(
        Vote, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("表决")
    )
    elector = models.OneToOneField(
        Elector, on_delete=models.PROTECT, related_name="ballot", verbose_name=_("表决业主")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="+", verbose_name=_("房屋")
    )
    choice = models.CharField(_("意见"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=BallotChannel.choices)
    voter_name = models.CharField(_("投票人"), max_length=64, blank=True)
    proxy_name = models.CharField(_("受托人"), max_length=64, blank=True)
    document = models.FileField(
        _("表决票扫描件/委托书"),
        upload_to="consultation/ballots/%Y/%m/",
        max_length=255,
        blank=True,
    )
    document_sha256 = models.CharField(_("文件哈希"), max_length=64, blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    cast_at = models.DateTimeField(_("投票时间"))
    seq = models.PositiveIntegerField(_("序号"))
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        ordering = ["vote", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "dwelling"], name="ballot_per_dwelling"),
            models.UniqueConstraint(fields=["vote", "seq"], name="ballot_seq_unique"),
        ]
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")

    def __str__(self) -> str:
        return f"{self.vote} #{self.seq}"
