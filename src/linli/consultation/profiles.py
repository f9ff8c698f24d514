"""The rule profiles Linli ships with (seeded by migration 0002; the district office may add
more in the admin). Each is data: see ``RuleProfile`` for what the fields mean."""

from __future__ import annotations

from typing import Any

CIVIL_CODE_BASIS = "《民法典》第二百七十八条"

PROFILES: tuple[dict[str, Any], ...] = (
    {
        "code": "civil-code-ordinary",
        "name": "民法典一般事项(双过半)",
        "basis": CIVIL_CODE_BASIS + "第二款:参与表决面积、人数均三分之二以上,同意均过半数",
        "participation_area": "2/3",
        "participation_owners": "2/3",
        "approval_area": "1/2",
        "approval_owners": "1/2",
        "approval_strict": True,
        "approval_base": "participants",
    },
    {
        "code": "civil-code-major",
        "name": "民法典重大事项(双四分之三)",
        "basis": CIVIL_CODE_BASIS + "第二款:第(六)至(八)项须参与表决面积、人数均四分之三以上同意",
        "participation_area": "2/3",
        "participation_owners": "2/3",
        "approval_area": "3/4",
        "approval_owners": "3/4",
        "approval_strict": False,
        "approval_base": "participants",
    },
    {
        "code": "stairwell-unanimous",
        "name": "本单元全体业主同意",
        "basis": "部分城市加装电梯办法:须本单元全体业主同意",
        "participation_area": "1",
        "participation_owners": "1",
        "approval_area": "1",
        "approval_owners": "1",
        "approval_strict": False,
        "approval_base": "electorate",
    },
    {
        "code": "luoyang-80",
        "name": "洛阳改造方案:80%以上居民同意",
        "basis": "洛阳市老旧小区改造:改造方案须经 80% 以上居民同意",
        "participation_area": "2/3",
        "participation_owners": "2/3",
        "approval_area": "4/5",
        "approval_owners": "4/5",
        "approval_strict": False,
        "approval_base": "electorate",
    },
    {
        "code": "beijing-no-objection",
        "name": "北京加装电梯:双三分之二参与、双四分之三同意且无业主反对",
        "basis": "北京市既有多层住宅加装电梯:其他业主无明确反对意见",
        "participation_area": "2/3",
        "participation_owners": "2/3",
        "approval_area": "3/4",
        "approval_owners": "3/4",
        "approval_strict": False,
        "approval_base": "participants",
        "no_objection": True,
    },
    {
        "code": "elevator-affected-consent",
        "name": "加装电梯:重大事项规则且占用专有部分的业主同意",
        "basis": CIVIL_CODE_BASIS + ";占用业主专有部分的,应征得该业主同意",
        "participation_area": "2/3",
        "participation_owners": "2/3",
        "approval_area": "3/4",
        "approval_owners": "3/4",
        "approval_strict": False,
        "approval_base": "participants",
        "affected_consent": True,
    },
)


def seed_profiles(model: Any) -> int:
    """Create the shipped profiles that are missing (by code); returns how many were made."""
    made = 0
    for row in PROFILES:
        _, created = model.objects.get_or_create(code=row["code"], defaults=row)
        made += created
    return made
