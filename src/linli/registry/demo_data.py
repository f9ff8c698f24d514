"""Reference tables for the Xigong demo (:mod:`linli.registry.demo`).

Places are plausible, not surveyed: the nine sub-districts are real, their 9-digit codes
(410303001-410303009, in the order below) and most community names are demo values;
centres are rough WGS-84 positions inside :data:`linli.core.geo.XIGONG_EXTENT`, with the
dense core sub-districts in the middle and the rural 洛北 and 红山 to the north-west.
"""

from __future__ import annotations

from dataclasses import dataclass

from linli.registry.models import ManagementMode


@dataclass(frozen=True)
class SubdistrictSpec:
    """A sub-district: its share of the 537 compounds, centre, scatter and names."""

    name: str
    compounds: int
    centre: tuple[float, float]  # (lon, lat), WGS-84
    spread: float  # degrees; community centres sit about this far from the centre
    communities: tuple[str, ...]
    streets: tuple[str, ...]
    barracks: bool = False  # holds the 西工兵营 historic area (heritage compounds)


@dataclass(frozen=True)
class NamedCompound:
    """A compound the seed names, generated with fixed facts."""

    name: str
    subdistrict: str
    community: str
    street: str
    number: int
    lon: float
    lat: float
    year_built: int
    management_mode: str
    renovated_year: int
    households: int
    elderly: float  # share of households with an elderly head
    designs: tuple[tuple[int, int, int], ...]  # (storeys, stairwells, dwellings per floor)


# fmt: off
SUBDISTRICTS: tuple[SubdistrictSpec, ...] = (
    SubdistrictSpec(
        "王城路街道", 85, (112.4330, 34.6685), 0.0060,
        ("王城路社区", "行署路社区", "西小街社区", "体育场路社区", "王城公园社区",
         "周公庙社区", "中州中路社区", "九都东路社区", "百货楼社区", "民主街社区"),
        ("王城路", "行署路", "西小街", "体育场路", "中州中路", "九都东路", "民主街", "周公路"),
    ),
    SubdistrictSpec(
        "金谷园路街道", 75, (112.4420, 34.6790), 0.0055,
        ("金谷园社区", "道南路社区", "站前路社区", "唐宫东路社区", "解放路社区",
         "八一路社区", "金谷园路北社区", "铁路新村社区", "邮电局社区"),
        ("金谷园路", "道南路", "站前路", "唐宫东路", "解放路", "八一路"),
    ),
    SubdistrictSpec(
        "西工街道", 75, (112.4470, 34.6620), 0.0050,
        ("西工社区", "西工兵营社区", "七一路社区", "西工小街社区", "中州东路社区",
         "凯旋西路社区", "王城大道社区", "宾馆路社区", "新华街社区"),
        ("中州东路", "七一路", "西工小街", "凯旋西路", "王城大道", "新华街", "西工兵营路"),
        barracks=True,
    ),
    SubdistrictSpec(
        "邙岭路街道", 55, (112.4290, 34.6930), 0.0060,
        ("邙岭路社区", "邙山路社区", "上阳社区", "北窑社区", "兴隆寨社区",
         "金谷园村社区", "邙岭东路社区"),
        ("邙岭路", "上阳路", "北窑路", "兴隆寨路", "金谷园路"),
    ),
    SubdistrictSpec(
        "唐宫路街道", 70, (112.4200, 34.6720), 0.0055,
        ("唐宫中路社区", "唐宫西路社区", "纱厂路社区", "纱厂南路社区", "纱厂北路社区",
         "玻璃厂社区", "芳林路社区", "棉纺社区"),
        ("唐宫中路", "唐宫西路", "纱厂路", "纱厂南路", "纱厂北路", "芳林路"),
    ),
    SubdistrictSpec(
        "汉屯路街道", 65, (112.4110, 34.6840), 0.0055,
        ("汉屯路社区", "芳林北路社区", "汉屯村社区", "东涧沟社区", "西涧沟社区",
         "王城大道北社区", "电业局社区", "邮电路社区"),
        ("汉屯路", "芳林北路", "王城大道", "东涧沟路", "邮电路"),
    ),
    SubdistrictSpec(
        "凯旋东路街道", 70, (112.4530, 34.6700), 0.0045,
        ("凯旋东路社区", "凯旋路社区", "解放路北社区", "七一东路社区", "中州东路北社区",
         "西大街社区", "史家屯社区", "东下池社区"),
        ("凯旋东路", "凯旋路", "解放路", "七一东路", "西大街"),
    ),
    SubdistrictSpec(
        "洛北街道", 25, (112.3950, 34.7060), 0.0090,
        ("洛北社区", "下园社区", "小李村社区", "后李社区"),
        ("洛北路", "下园路", "小李村路"),
    ),
    SubdistrictSpec(
        "红山街道", 17, (112.3650, 34.7270), 0.0110,
        ("红山社区", "杨冢社区", "樊村社区"),
        ("红山路", "杨冢路", "樊村路"),
    ),
)
# fmt: on

NAMED_COMPOUNDS: tuple[NamedCompound, ...] = (
    # Next to Luoyang railway station; 7 buildings, about 270 households, mostly elderly;
    # the seed's showcase of elevator retrofits.
    NamedCompound(
        name="道南路70号院",
        subdistrict="金谷园路街道",
        community="道南路社区",
        street="道南路",
        number=70,
        lon=112.4385,
        lat=34.6812,
        year_built=1984,
        management_mode=ManagementMode.SELF_MANAGED,
        renovated_year=2022,
        households=270,
        elderly=0.85,
        designs=((6, 3, 2),) * 5 + ((6, 4, 2),) * 2,
    ),
    # The seed's "西工智慧物业模式" pilot, run by a professional property company.
    NamedCompound(
        name="凯旋东路43号院",
        subdistrict="凯旋东路街道",
        community="凯旋东路社区",
        street="凯旋东路",
        number=43,
        lon=112.4572,
        lat=34.6688,
        year_built=1996,
        management_mode=ManagementMode.PROFESSIONAL,
        renovated_year=2021,
        households=288,
        elderly=0.5,
        designs=((6, 3, 2),) * 6 + ((7, 2, 2),) * 2 + ((6, 2, 2),),
    ),
)

#: The 西工兵营 (Xigong barracks, 1914) historic area; heritage compounds cluster here.
BARRACKS: tuple[float, float] = (112.4420, 34.6645)

# fmt: off
#: Work units whose staff housing (家属院) fills the old core; each used at most once.
WORK_UNITS: tuple[str, ...] = (
    "洛阳铁路分局", "市第一人民医院", "洛阳玻璃厂", "洛阳棉纺厂", "市供电局", "市自来水公司",
    "市邮电局", "洛阳日报社", "市公安局", "西工区政府", "洛阳地区行署", "市税务局",
    "工商银行洛阳分行", "建设银行洛阳分行", "市第二中学", "市第五中学", "洛阳师范学校",
    "市百货公司", "市第二运输公司", "市煤气公司", "市建筑公司", "市园林处", "市文化局",
    "市粮食局", "市物资局", "市商业局", "市外贸局", "市交通局", "市卫生局", "市教育局",
    "市第二建筑公司", "洛阳火车站", "市水利局", "市农机公司", "洛阳面粉厂", "洛阳肉联厂",
    "洛阳酒厂", "市印刷厂", "市电信局", "洛阳针织厂", "人民银行洛阳分行", "市财政局",
    "市中级法院", "市检察院", "市气象局", "洛阳卷烟厂", "洛阳热电厂", "市供销社",
    "市电影公司", "市妇幼保健院", "洛阳豫剧团", "市图书馆",
)
# fmt: on

#: Developers that still hold unsold or undelivered dwellings in a few newer compounds.
DEVELOPERS: tuple[str, ...] = (
    "洛阳市西工区城市建设开发公司",
    "洛阳市房地产开发总公司",
    "洛阳金谷园置业有限公司",
)

#: Common surnames, most frequent first (weights follow from repetition).
SURNAMES: tuple[str, ...] = tuple(
    "王王王王李李李李张张张张刘刘刘陈陈杨杨赵赵黄周吴徐孙马马朱胡郭郭何高林罗郑梁谢宋"
    "唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
    "夏付方白邹孟熊秦邱江尹薛闫闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔常牛"
)

# fmt: off
#: Given names by generation (born before 1960, 1960-1989, 1990 on) and (male, female).
GIVEN_NAMES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("建国", "国强", "志刚", "德胜", "振华", "国庆", "保国", "长青", "卫东", "铁军",
         "永胜", "福生", "玉林", "春生", "学文", "树林", "金山", "忠", "明", "华", "林", "德"),
        ("秀英", "桂兰", "淑珍", "玉兰", "秀兰", "凤英", "桂英", "玉珍", "秀珍", "翠兰",
         "素芳", "淑芬", "兰英", "金凤", "爱华", "红", "梅", "霞", "芳", "玉梅"),
    ),
    (
        ("伟", "勇", "军", "强", "磊", "涛", "斌", "刚", "鹏", "辉", "建华", "建军",
         "海涛", "志强", "晓东", "红伟", "卫国", "亚军", "俊峰", "国伟", "洛平"),
        ("丽", "艳", "红", "娟", "敏", "静", "燕", "霞", "丽娟", "晓燕", "红梅", "海燕",
         "艳丽", "春燕", "小红", "丽萍", "慧", "玲", "洛英"),
    ),
    (
        ("浩", "宇", "杰", "博", "子豪", "浩然", "宇轩", "一鸣", "梓轩", "俊杰", "天佑",
         "思远", "家豪", "泽宇", "鑫", "子墨", "晨阳"),
        ("欣怡", "子涵", "梓涵", "诗琪", "雨桐", "佳怡", "思雨", "可馨", "梦瑶", "婷",
         "雪", "悦", "一诺", "雨萱", "欣妍", "牡丹"),
    ),
)
# fmt: on

#: County codes of Luoyang (4103xx) for ID numbers, with weights; people born before the
#: 2021 changes carry 410381 (偃师市) and 410322 (孟津县) rather than the new codes.
AREA_CODES: tuple[tuple[str, int], ...] = (
    ("410303", 55),  # 西工区
    ("410302", 6),  # 老城区
    ("410304", 6),  # 瀍河回族区
    ("410305", 8),  # 涧西区
    ("410311", 5),  # 洛龙区
    ("410381", 4),  # 偃师市
    ("410322", 4),  # 孟津县
    ("410323", 3),  # 新安县
    ("410324", 2),  # 栾川县
    ("410325", 2),  # 嵩县
    ("410326", 1),  # 汝阳县
    ("410327", 2),  # 宜阳县
    ("410328", 1),  # 洛宁县
    ("410329", 1),  # 伊川县
)

# --- organisations -------------------------------------------------------------------------
# Names are plausible, not real registrations; credit codes are generated (valid checksums).

#: The property company of 凯旋东路43号院 (the 智慧物业 pilot); it manages that compound only.
KAIXUAN_COMPOUND = "凯旋东路43号院"
KAIXUAN_PROPERTY = "洛阳凯旋物业服务有限公司"

#: Property companies for the other professionally managed compounds, which are shared among
#: them by sub-district (one company per few neighbouring sub-districts).
PROPERTY_COMPANIES: tuple[str, ...] = (
    "洛阳市西工区红色物业服务有限公司",
    "洛阳金谷园物业管理有限公司",
    "洛阳中州物业服务有限公司",
    "洛阳王城物业管理有限公司",
    "洛阳万家和物业服务有限公司",
)

#: The district's functional departments (职能部门) that sign off joint reviews.
HOUSING_DEPARTMENT = "西工区住房和城乡建设局"
DEPARTMENTS: tuple[str, ...] = (
    HOUSING_DEPARTMENT,
    "西工区财政局",
    "西工区自然资源和规划局",
    "西工区应急管理局",  # fire safety (消防)
    "西工区市场监督管理局",  # special equipment: elevators (特种设备)
)

#: Utilities (水电气暖通信) whose networks run through the compounds.
UTILITIES: tuple[str, ...] = (
    "洛阳市供水有限公司",
    "洛阳市供电服务有限公司",
    "洛阳市燃气有限公司",
    "洛阳市热力有限公司",
    "洛阳市通信网络建设有限公司",
)

#: Design, construction and supervision firms (设计/施工/监理单位), by OrganisationKind value.
CONTRACTORS: tuple[tuple[str, str], ...] = (
    ("design", "洛阳城市建筑设计研究院有限公司"),
    ("design", "河南洛建规划设计有限公司"),
    ("construction", "洛阳西工建设工程有限公司"),
    ("construction", "洛阳市城建工程集团有限公司"),
    ("construction", "河南中洛建筑安装有限公司"),
    ("supervision", "洛阳市建设工程监理有限公司"),
    ("supervision", "河南豫西工程管理咨询有限公司"),
)
