"""The figures and texts of the elevator demo (``demo.py``): the sample subsidy rule, each
case's costs and words, the maintenance company. Plain constants; the amounts are plausible
for a 6-storey stairwell in Luoyang, not any real project's, and the subsidy rule is marked
as a sample (示例), not the city's real figures."""

from __future__ import annotations

from decimal import Decimal

# --- The subsidy rule ------------------------------------------------------------------------

SUBSIDY_CITY = "洛阳市"
SUBSIDY_NAME = "既有住宅加装电梯财政补贴(示例)"
SUBSIDY_BASIS = "演示数据,非洛阳市实际补贴标准"
SUBSIDY_AMOUNT = Decimal("150000.00")

# --- Case A: two stairwells, handed over --------------------------------------------------------

A_COSTS = {
    "equipment": "386000.00",
    "civil_works": "118000.00",
    "pipeline": "36000.00",
    "design": "16000.00",
    "supervision": "12000.00",
}
A_FEASIBILITY = "两单元楼梯间北侧合建一部电梯,连廊平层入户;地下管线已勘察,燃气管需迁移。"
A_DESIGN = "钢结构井道,载重800kg,停靠1-6层,两单元以连廊接入。"
#: Days before today: the votes opened, closed; the acceptance.
A_OPENED, A_CLOSED, A_ACCEPTED = 300, 286, 150
#: The last maintenance visit, days before today (the 15-day schedule is then overdue).
A_LAST_VISIT = 20
A_RUNNING = {"maintenance": "3600.00", "electricity": "1280.00", "inspection": "600.00"}
ANNUAL_FEE = Decimal("7200.00")
CONTRACTOR = "洛阳安达电梯维保有限公司(示例)"
MANUFACTURER = "示例电梯制造有限公司"
MODEL_NAME = "KLK2-800"
VISIT_NOTES = "例行半月维保:曳引机、门系统、制动器检查,运行正常。"

# --- Case B: two stairwells, votes open -------------------------------------------------------

B_COSTS = {
    "equipment": "392000.00",
    "civil_works": "126000.00",
    "pipeline": "28000.00",
    "design": "16000.00",
    "supervision": "12000.00",
}
B_FEASIBILITY = "电梯井贴建于1单元楼梯间北侧,以连廊连通2单元;1单元一楼两户的采光受影响。"
B_DESIGN = "1单元平层入户;2单元顶层一户经休息平台半层入户。"
#: Compensation to each of the two ground-floor dwellings beside the shaft.
B_COMPENSATION = "10000.00"
B_OPENED = 4  # days before today; the votes close B_CLOSES_IN days after today
B_CLOSES_IN = 10
#: Paper ballots so far: weights of yes, no, abstain, not yet voted.
B_WEIGHTS = (55, 4, 4, 37)

# --- Case C: one stairwell, draft, Hangzhou-style table ----------------------------------------

C_COSTS = {
    "equipment": "330000.00",
    "civil_works": "95000.00",
    "pipeline": "20000.00",
    "design": "12000.00",
    "supervision": "9000.00",
}
C_TABLE = {"1": "0", "2": "0", "3": "1", "4": "2", "5": "3", "6": "4"}
C_EXEMPT_REASON = "业主长期在外地居住,书面声明不使用电梯、不参与分摊"
C_FEASIBILITY = "参照杭州2017年案例的分摊比例(0:0:1:2:3:4),按专有面积加权,征求意见中。"

# --- Case D: one stairwell, vote failed ---------------------------------------------------------

D_COSTS = {
    "equipment": "328000.00",
    "civil_works": "102000.00",
    "pipeline": "18000.00",
    "design": "12000.00",
    "supervision": "9000.00",
}
D_FEASIBILITY = "井道占用一楼住户的部分院落,须其同意;一楼住户表决时反对,方案退回修改。"
D_OPENED, D_CLOSED = 60, 46
