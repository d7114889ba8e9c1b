"""The story's facts as data: what the demo loads.

The long lists (organisations, bases, the supply catalogue, coming events, the records on file)
are in story.yaml.
Facts marked STORY come from the district's report (seed/article.zh-hans.txt) and must stay
exactly as told. Everything else (credit codes, towns of the bases, committee seats, capability
lists, times of day, addresses) is demonstration data chosen to look real; credit codes are
synthetic (valid check characters, not the real registrations). People are named by office.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml

STORY_MEASURES_DATE = datetime.date(2023, 5, 27)  # STORY
STORY_OPINIONS_DATE = datetime.date(2023, 7, 14)  # STORY
STORY_CONFERENCE_DATE = datetime.date(2023, 7, 24)  # STORY (afternoon)

MSB = "上海市奉贤区市场监督管理局"
FIC = "上海市奉贤区工商业联合会"
GOV = "上海市奉贤区人民政府"
CITY_MSB = "上海市市场监督管理局"
CITY_FIC = "上海市工商业联合会"
CITY_QA = "上海市质量协会"
CPC_CENTRAL = "中共中央"
STATE_COUNCIL = "国务院"


def _tables() -> dict:
    """The story's long lists, kept as data in story.yaml beside this module (one entry a
    record, every entry read the same way) rather than as one literal per record here."""
    return yaml.safe_load(Path(__file__).with_name("story.yaml").read_text(encoding="utf-8"))


_TABLES = _tables()
#: The story's organisations and the demo's own; the bases are added from BASES.
ORGANISATIONS: list[dict] = _TABLES["organisations"]
#: STORY: the first batch of ten training bases, in the order the report names them.
BASES: list[dict] = _TABLES["bases"]
#: The supply platform's demo catalogue (demonstration data).
OFFERINGS: list[dict] = _TABLES["offerings"]
#: Coming events, dated from the day the demo is first loaded (see story.yaml).
UPCOMING: list[dict] = _TABLES["upcoming"]

# People named by office (DOMAIN.md). Keys are used below to refer to them.
PEOPLE: dict[str, tuple[str, str, str]] = {
    # key: (organisation, name, title)
    "district_head": (GOV, "区长", "奉贤区委副书记、区长"),  # STORY
    "deputy_head": (GOV, "副区长", "奉贤区副区长"),  # STORY
    "city_msb_deputy": (CITY_MSB, "市市场监管局副局长", "市市场监管局党组成员、副局长"),  # STORY
    "city_fic_vice": (CITY_FIC, "市工商联副主席", "市工商联党组成员、副主席"),  # STORY
    "city_qa_president": (CITY_QA, "市质量协会会长", "市质量协会会长"),  # STORY
    "fic_secretary": (
        FIC,
        "区工商联党组书记",
        "奉贤区委统战部副部长、区工商联党组书记",
    ),  # STORY
    "msb_director": (MSB, "区市场监管局局长", "区市场监管局局长"),
    "msb_standards": (MSB, "区市场监管局标准化科科长", "标准化科科长"),
    "fic_vice": (FIC, "区工商联副主席", "区工商联副主席"),
    "sis_engineer": ("上海市标准化研究院", "市标准化研究院高级工程师", "高级工程师"),
    "metrology_engineer": ("上海市计量测试技术研究院", "市计量院高级工程师", "高级工程师"),
    "chenguang_quality": ("上海晨光文具股份有限公司", "晨光文具质量总监", "质量总监"),
    "jialan_standards": ("伽蓝(集团)股份有限公司", "伽蓝集团标准化负责人", "标准化负责人"),
    "kaibao_qa": ("上海凯宝药业股份有限公司", "凯宝药业质量受权人", "质量受权人"),
    "beauty_chamber_head": ("上海市奉贤区美丽健康产业商会", "美丽健康产业商会会长", "会长"),
    "smart_chamber_sg": ("上海市奉贤区智能制造行业协会", "智能制造行业协会秘书长", "秘书长"),
    "xianda_quality": ("上海贤达精密机械有限公司", "贤达精密质量负责人", "质量负责人"),
}

COMMITTEE = {
    "name": "奉贤区民营经济质量和标准化工作委员会",  # STORY
    "founded_on": STORY_MEASURES_DATE,  # STORY
    "description": (
        "2023年5月27日，奉贤区工商业联合会与奉贤区市场监督管理局联合出台《关于服务奉贤区民营经济"
        "高质量发展的若干措施》，成立由政府部门、工商联、专业机构、民营企业和商(协)会等多部门多领域"
        "专家组成的工作委员会。2023年7月24日，委员会在奉贤区2023年质量和标准化创新大会上揭牌。"
    ),
}
TERM = (STORY_MEASURES_DATE, datetime.date(2028, 5, 26))  # a five-year term (demo)

# (person key, sector, position, expertise) — the seats are demonstration data; the five
# sectors are the story's.
MEMBERS: list[tuple[str, str, str, list[str]]] = [
    ("msb_director", "government", "director", ["质量强区", "政策制定"]),
    ("msb_standards", "government", "secretary_general", ["标准化", "企业标准自我声明"]),
    ("fic_secretary", "federation", "deputy_director", ["民营经济", "商会建设"]),
    ("fic_vice", "federation", "member", ["民营经济", "企业服务"]),
    ("sis_engineer", "institution", "member", ["标准化", "团体标准", "标准研制"]),
    ("metrology_engineer", "institution", "member", ["计量", "检验检测"]),
    ("chenguang_quality", "enterprise", "member", ["卓越绩效", "企业标准领跑者"]),
    ("jialan_standards", "enterprise", "member", ["化妆品", "标准化"]),
    ("kaibao_qa", "enterprise", "member", ["药品质量管理", "质量管理体系"]),
    ("beauty_chamber_head", "chamber", "member", ["美丽健康产业", "团体标准"]),
    ("smart_chamber_sg", "chamber", "member", ["智能制造", "品牌建设"]),
]

OPINIONS = {
    "title": "中共中央 国务院关于促进民营经济发展壮大的意见",  # STORY
    "short_title": "促进民营经济发展壮大的意见",
    "level": "central",
    "issuers": [CPC_CENTRAL, STATE_COUNCIL],
    "issue_date": STORY_OPINIONS_DATE,
    "effective_from": STORY_OPINIONS_DATE,
    "summary": (
        "意见从持续优化民营经济发展环境、加大对民营经济政策支持力度、强化民营经济发展法治保障、"
        "着力推动民营经济实现高质量发展、促进民营经济人士健康成长、持续营造关心促进民营经济发展壮大"
        "社会氛围、加强组织实施等方面作出部署。奉贤区工商联在2023年7月24日的大会上表示将贯彻落实。"
    ),
    "text_note": "此处仅录要点；全文以官方发布为准。",
}

MEASURES = {
    "title": "关于服务奉贤区民营经济高质量发展的若干措施",  # STORY
    "short_title": "若干措施",
    "level": "district",
    "issuers": [FIC, MSB],  # STORY: jointly issued
    "issue_date": STORY_MEASURES_DATE,
    "effective_from": STORY_MEASURES_DATE,
    "summary": (
        "由奉贤区工商业联合会与奉贤区市场监督管理局联合出台，成立奉贤区民营经济质量和标准化工作委员会，"
        "以质量与标准化为导向，支持民营企业和商(协)会强化质量与标准引领、树立行业标杆。"
    ),
    "full_text": (
        "一、强化组织领导，提供机制保障\n"
        "成立奉贤区民营经济质量和标准化工作委员会，由政府部门、工商联、专业机构、民营企业和商(协)会"
        "专家组成，负责政策宣贯、项目评审和企业质量诊断。\n\n"
        "二、抓好宣传培训，增强主体意识\n"
        "在行业龙头企业中认定民营经济质量和标准化工作实训基地，开展政策宣贯、课程培训和现场观摩。\n\n"
        "三、搭建供给平台，引领企业发展\n"
        "汇聚标准研制、检验检测、认证认可、计量校准、质量诊断、品牌建设等服务资源，对接企业需求。\n\n"
        "四、支持标准引领\n"
        "主导制定国际标准的，按市级资助1:0.5给予配套；主导制定国家标准、行业标准的，第一起草单位给予"
        "10万元、第二至三起草单位给予5万元；主导制定地方标准的，前三起草单位各给予5万元；团体标准经"
        "自我声明公开并被市、区部门采信的，给予支持。每家企业每年同一类别申报不超过5项、总计不超过"
        "10项；同一项目已获市级资助的，区级不重复资助。\n\n"
        "五、支持质量提升\n"
        "获得中国质量奖的，组织奖励100万元、个人奖励20万元；获提名奖的，分别奖励50万元、10万元；"
        "获得上海市市长质量奖的，分别奖励50万元、10万元；获得上海市质量金奖的，分别奖励30万元、3万元。"
        "获得“上海品牌”认证的奖励30万元；通过能源、信息安全、测量管理体系认证的奖励10万元；"
        "取得检验检测机构资质认定（CMA）的奖励5万元。"
    ),
    "text_note": (
        "示例文本：条款结构依据会议报道，奖励金额参照上海其他区公开的措施，仅供演示，"
        "不是奉贤区正式文本。"
    ),
}

CONFERENCE_527 = {
    "title": "奉贤区促进民营经济高质量发展大会暨第四届“527为企服务日”主题活动",  # STORY
    "kind": "conference",
    "starts_at": datetime.datetime(2023, 5, 27, 9, 30),  # date STORY, time demo
    "ends_at": datetime.datetime(2023, 5, 27, 11, 30),
    "place": "奉贤区",
    "organisers": [GOV],
    "description": (
        "区工商联与区市场监管局在会上联合出台《关于服务奉贤区民营经济高质量发展的若干措施》，"
        "成立奉贤区民营经济质量和标准化工作委员会。"
    ),
    "agenda": [
        {
            "kind": "release",
            "title": "联合出台《关于服务奉贤区民营经济高质量发展的若干措施》",
            "policy": "measures",
        },
        {
            "kind": "founding",
            "title": "成立奉贤区民营经济质量和标准化工作委员会",
            "committee": True,
        },
    ],
}

CONFERENCE_724 = {
    "title": "奉贤区2023年质量和标准化创新大会暨质量和标准化政策宣贯会",  # STORY
    "kind": "conference",
    "starts_at": datetime.datetime(2023, 7, 24, 14, 0),  # STORY: afternoon; hours demo
    "ends_at": datetime.datetime(2023, 7, 24, 16, 30),
    "place": "奉贤区",
    "organisers": [GOV, MSB, FIC],
    "description": (
        "奉贤区委副书记、区长，市市场监管局党组成员、副局长，市工商联党组成员、副主席，"
        "市质量协会会长出席会议，奉贤区副区长主持会议。"
    ),
    "agenda": [
        {"kind": "chair", "title": "主持会议", "people": ["deputy_head"]},
        {
            "kind": "unveiling",
            "title": "为“奉贤区民营经济质量和标准化工作委员会”揭牌",
            "people": ["city_msb_deputy", "city_fic_vice"],
            "committee": True,
        },
        {
            "kind": "plaque_award",
            "title": "为第一批“奉贤区民营经济质量和标准化工作实训基地”授牌",
            "people": [
                "district_head",
                "city_msb_deputy",
                "city_fic_vice",
                "city_qa_president",
                "deputy_head",
            ],
            "batch": 1,
        },
        {
            "kind": "speech",
            "title": "讲话：做到“三个聚焦”，全面开启奉贤新一轮质量强区建设",
            "people": ["district_head"],
            "description": (
                "一是聚焦政策落实，全面推动质量强区建设；二是聚焦关键领域，不断夯实质量基础；"
                "三是聚焦制度建设，营造良好质量环境。"
            ),
        },
        {
            "kind": "exchange",
            "title": "交流发言：以质量与标准化创新助推民营企业创新发展",
            "people": ["fic_secretary"],
            "description": (
                "通过“强化组织领导，提供机制保障”“抓好宣传培训，增强主体意识”“搭建供给平台，"
                "引领企业发展”，发挥质量与标准化的基础性、战略性和引领性作用；下一阶段贯彻7月14日"
                "《中共中央 国务院关于促进民营经济发展壮大的意见》。"
            ),
            "policy": "opinions",
        },
    ],
}

DEMO_PASSWORD = "zhibiao-demo-2023"

# (username, role, organisation or None, display name, person key for an expert's seat)
ACCOUNTS: list[tuple[str, str, str | None, str, str | None]] = [
    ("admin", "admin", MSB, "区市场监管局工作人员", None),
    ("expert", "expert", "上海市标准化研究院", "市标准化研究院专家", "sis_engineer"),
    # The quality award's document review takes three experts (zhibiao.awards.demo).
    ("expert2", "expert", "上海市计量测试技术研究院", "市计量院专家", "metrology_engineer"),
    ("expert3", "expert", "上海晨光文具股份有限公司", "晨光文具质量总监", "chenguang_quality"),
    ("enterprise", "enterprise", "上海贤达精密机械有限公司", "贤达精密质量负责人", None),
    ("base", "base_manager", "上海晨光文具股份有限公司", "晨光文具实训基地管理员", None),
    ("chamber", "chamber", "上海市奉贤区美丽健康产业商会", "美丽健康产业商会秘书处", None),
    ("provider", "provider", "上海贤质检测技术有限公司", "贤质检测业务经理", None),
    ("department", "department", MSB, "区市场监管局标准化科", None),
]


# The measures' demo facts (zhibiao/rules/facts.yaml): records on file for the fictional demo
# enterprises only, never for the real companies of the story. "Y" is the current year, so the
# demo shows this year's entitlements whenever it is loaded; tax is last year's.
RULE_FILE = "fengxian_2023.yaml"
AUTO_CLAUSES = {
    "FX23-BRAND",
    "FX23-CERT-ENERGY",
    "FX23-CERT-INFOSEC",
    "FX23-CERT-MEASURE",
    "FX23-CMA",
}
RECORDS: dict[str, dict[str, list[dict]]] = _TABLES["records"]  # in story.yaml


EXPERT_PROFILE = {
    "availability": "available",
    "capacity": 5,
    "industries": [],
    "bio": "长期从事标准化研究与质量管理体系诊断。",
}
DEMAND = {
    "enterprise": "上海贤达精密机械有限公司",
    "category": "testing",
    "description": "新开发的精密主轴需要做尺寸和材料检测，出具有CMA标志的检测报告，用于客户验收。",
    "urgency": "normal",
}
# --- Training (issue 6): events with registration, attendance and feedback, news ------------
# All demonstration data except the news item, which is the story's report itself.

NEWS_FILE = "article.zh-hans.txt"  # the report, with one garbled fragment (专家) restored
NEWS = {
    "published_on": STORY_CONFERENCE_DATE,  # the report's date is not given; the meeting's
    "source": "会议报道",
    "events": ["724"],
    "policies": ["measures", "opinions"],
    "batches": [1],
}

CHENGUANG = "上海晨光文具股份有限公司"
JIALAN = "伽蓝(集团)股份有限公司"
KAIBAO = "上海凯宝药业股份有限公司"
XIANDA = "上海贤达精密机械有限公司"
JINHUI = "上海金汇智能装备股份有限公司"
FENGCHENG = "上海奉城新材料科技有限公司"

# An event TODAY, whatever day the demo is loaded (issue 13): a hands-on session at 晨光's
# base with people registered from the demo enterprises and nobody checked in yet, so that the
# base manager ("base") can try the check-in desk at once with the codes on their tickets.
TODAY = {
    "title": "计量器具校准实操（今日演示）",
    "kind": "practice",
    "host": CHENGUANG,
    "place": "上海晨光文具股份有限公司培训中心（演示地址）",
    "description": "演示数据：今天举办的实操训练。签到台可直接试用：输入签到码或扫码签到。",
    "capacity": 20,
    "quota": 5,
    "registered": 9,  # three from each demo enterprise, in turn (PAST_ATTENDEE_ORGS)
}

# Last year's events at the bases ("{Y}" is last year), each with the people who came
# (checked in) and their survey answers; everyone else registered stayed away.
# (base, kind, title, month, day, hour, capacity, registered, attended, satisfaction scores)
PAST: list[tuple[str, str, str, int, int, int, int, int, int, list[int]]] = [
    (CHENGUANG, "course", "标准化基础知识（{Y}年第1期）", 3, 14, 9, 24, 22, 20, [5, 5, 4, 5, 4, 5]),
    (CHENGUANG, "course", "企业标准自我声明公开实务（{Y}年）", 5, 16, 9, 20, 18, 16, [5, 4, 5, 5]),
    (
        CHENGUANG,
        "site_visit",
        "书写工具生产线观摩（{Y}年）",
        6,
        20,
        14,
        24,
        24,
        22,
        [5, 5, 5, 4, 5],
    ),
    (CHENGUANG, "course", "卓越绩效管理实践（{Y}年）", 9, 12, 9, 16, 14, 12, [4, 5, 4]),
    (CHENGUANG, "practice", "质量检验实操（{Y}年）", 11, 7, 9, 10, 10, 8, [5, 4]),
    (JIALAN, "course", "化妆品质量管理体系实践（{Y}年）", 4, 18, 9, 20, 18, 15, [4, 4, 5, 3]),
    (JIALAN, "site_visit", "东方美谷智能工厂观摩（{Y}年）", 10, 24, 14, 20, 16, 14, [5, 4, 4]),
    (KAIBAO, "course", "药品生产质量管理规范（GMP）要点（{Y}年）", 8, 22, 9, 16, 14, 11, [4, 3, 4]),
]
# Where last year's attendees came from: demo enterprises, in turn.
PAST_ATTENDEE_ORGS = [XIANDA, JINHUI, FENGCHENG]
ATTENDEE_ROLES = ["质量工程师", "标准化专员", "质检员", "生产主管", "技术员"]

# Last year's evaluations (result), made by the demo administrator.
EVALUATIONS = {CHENGUANG: "excellent", JIALAN: "pass", KAIBAO: "pass"}
