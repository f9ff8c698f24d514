"""The data tables and text pools of the consultation demo (``demo.py``).

What the residents of 道南路70号院 wish for, the survey's questions and options, the answers,
visit notes, meeting plans and vote texts the demo draws from. Plain constants only: the
order of every list matters, since the demo's seeded generator picks from them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from linli.consultation.models import MeetingKind, QuestionKind, VisitOutcome

#: Menu codes the residents of an old, elderly compound ask for, with their weight.
WISHES: tuple[tuple[str, int], ...] = (
    ("I14", 12),  # 加装电梯
    ("I06", 8),  # 适老化及无障碍改造
    ("B04", 7),  # 燃气管道改造
    ("I07", 6),  # 停车位建设
    ("B02", 6),  # 排水设施改造(雨污分流)
    ("U06", 5),  # 助餐服务点
    ("I05", 4),  # 照明设施
    ("B13", 4),  # 屋面防水
    ("I09", 3),  # 充电设施
    ("I03", 3),  # 绿化提升
    ("B09", 2),  # 安防监控设施
)
MENU_SIZE = 10

# --- The survey ------------------------------------------------------------------------------

SURVEY_TITLE = "老旧小区改造居民意愿入户调查"
SURVEY_DESCRIPTION = "社区工作人员入户走访,了解居民对改造的意愿和最需要改造的内容(居民点单)。"
#: The survey's questions in order: (key, arguments of ``add_question``). ``show_if`` names
#: an earlier question by its key; the ranking question's options, the menu, are added by
#: the demo.
QUESTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "support",
        {
            "kind": QuestionKind.SINGLE,
            "text": "您是否支持本小区实施老旧小区改造?",
            "options": [("yes", "支持", ""), ("neutral", "无所谓", ""), ("no", "不支持", "")],
        },
    ),
    (
        "why_not",
        {
            "kind": QuestionKind.TEXT,
            "text": "不支持的主要原因是什么?",
            "required": False,
            "show_if": "support",
            "show_if_values": ["no"],
        },
    ),
    (
        "menu",
        {
            "kind": QuestionKind.RANKING,
            "text": "请按需要程度排出您最希望改造的内容(最多5项)",
            "help_text": "第一项为最需要的内容",
            "max_choices": 5,
        },
    ),
    (
        "people",
        {
            "kind": QuestionKind.NUMBER,
            "text": "家中常住人口(人)",
            "min_value": Decimal(0),
            "max_value": Decimal(12),
        },
    ),
    (
        "satisfaction",
        {
            "kind": QuestionKind.MATRIX,
            "text": "您对小区现状的满意程度",
            "rows": ["道路", "照明", "绿化", "停车"],
            "options": [("good", "满意", ""), ("fair", "一般", ""), ("poor", "不满意", "")],
        },
    ),
    ("ideas", {"kind": QuestionKind.TEXT, "text": "其他意见和建议", "required": False}),
)
#: Weights of good, fair, poor for each satisfaction row, in row order.
SATISFACTION_WEIGHTS = ([2, 4, 6], [2, 3, 6], [3, 5, 3], [1, 3, 8])

# --- Answers and visit notes -----------------------------------------------------------------

WHY_NOT_ANSWERS = ["担心施工影响出行", "一楼住户,不需要电梯", "不愿承担费用"]
IDEAS_ANSWERS = ["希望尽快加装电梯", "楼道灯经常不亮", "雨天院内积水严重", "希望增加休息座椅"]
#: The note of a first call that found nobody home, before the visit that counted.
RETRY_NOTE = "白天无人,约晚上再来"
VISIT_NOTES = {
    VisitOutcome.MOVED_OUT: "房屋空置,业主已搬离",
    VisitOutcome.DECLINED: "住户不愿接受访问",
    VisitOutcome.NOBODY_HOME: "多次上门无人",
}

# --- Meetings --------------------------------------------------------------------------------

#: (kind, title, days before now, place, agenda, minutes, decisions, dwellings represented)
MEETING_PLANS: list[tuple[str, str, int, str, str, str, str, int]] = [
    (
        MeetingKind.BENCH,
        "板凳会:改造要不要做、先做什么",
        78,
        "3号楼前树荫下",
        "1. 介绍老旧小区改造政策\n2. 听取居民最急需解决的问题",
        "居民普遍反映楼道昏暗、雨天积水、老人上下楼困难,希望加装电梯。",
        "社区将开展入户调查,请居民对改造内容排序(居民点单)。",
        12,
    ),
    (
        MeetingKind.NEIGHBOUR,
        "邻里会:加装电梯与一楼住户的顾虑",
        50,
        "社区党群服务中心二楼",
        "1. 设计单位介绍加装电梯方案\n2. 一楼住户提出采光、噪音顾虑",
        "设计单位承诺调整电梯井位置,减少对一楼采光的影响。",
        "各单元自行组织加装电梯表决;一楼住户的意见须书面记录。",
        18,
    ),
    (
        MeetingKind.ASSEMBLY,
        "业主大会:表决小区改造方案",
        41,
        "道南路70号院活动广场",
        "1. 公布入户调查和居民点单结果\n2. 说明改造方案\n3. 发放表决票",
        "会议公布了入户率和点单排名,说明了表决规则(80%以上业主同意)。",
        "改造方案提交业主共同决定,表决期两周,纸质表决票由社区统一收集。",
        40,
    ),
]
MEETING_GUESTS = "道南路社区居委会、金谷园路街道办事处"

# --- Votes -----------------------------------------------------------------------------------

PLAN_TITLE = "道南路70号院老旧小区改造方案"
PLAN_DESCRIPTION = "改造内容按居民点单排名确定:加装电梯、适老化改造、燃气和排水管网等。"
ELEVATOR_DESCRIPTION = "电梯井贴建于楼梯间北侧,一楼住户的专有部分受影响,须其同意。"
