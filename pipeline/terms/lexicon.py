"""What term suggestion knows about Chinese names, as data, in one place.

Surnames, the titles that stand next to names, the suffixes that end the
names of organisations and places, and a few known places. The algorithms
in ``suggest.py`` and ``romanise.py`` read these tables; a rule is changed
here, without reading the code that applies it.
"""

from __future__ import annotations

# --- Surnames ------------------------------------------------------------------

#: Single-character surnames: the ~100 most common (Ministry of Public
#: Security household register rankings), then less common ones that news
#: text meets often (习, 成, 单, 仇, 区, 朴, 查, 乐 ...). A 2–3 character
#: person-name candidate must start with one of these (or a double surname).
SINGLE_SURNAMES = frozenset(
    # the most common hundred
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董"
    "潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊"
    "白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔"
    "赖文"
    # less common, but frequent in news
    "施洪辛柯庄葛牛左温甘习成单仇区朴查乐解缪盖召种翟祝齐柳殷宁岳关包费鲍"
    "倪骆凌霍欧纪聂童阎邢詹宫焦卓鲁蓝褚柴申谷尚屠宗滕裴樊梅伍华卜项"
    "宿薄柏占车郎季苗饶穆景冉植冷涂阮伏尤麦俞揭芦邬邝巫晏隋耿"
    "房舒管伊荣戚桂晋郁闵迟阳尉员秘黑句繁"
)

#: Double (two-character) surnames. 欧阳修 is 欧阳 + 修, never 欧 + 阳修.
DOUBLE_SURNAMES = frozenset(
    """
    欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容
    长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫
    万俟 澹台 呼延 闻人 申屠 太史 公羊 钟离 宗政
    濮阳 淳于 单于 百里 东郭 拓跋 西门 第五
    """.split()
)

#: Surnames whose reading differs from the character's most common reading
#: (which is what a dictionary gives): 单 is Shan as a surname, not dan.
#: Values are Hanyu Pinyin without tones, lower case, syllables joined.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "覃": "qin",
    "乐": "yue",
    "缪": "miao",
    "盖": "ge",
    "召": "shao",
    "种": "chong",
    "翟": "zhai",
    "宿": "su",
    "薄": "bo",
    "柏": "bai",
    "尉": "wei",
    "员": "yun",
    "秘": "bi",
    "黑": "he",
    "句": "gou",
    "繁": "po",
    "任": "ren",
    "沈": "shen",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "单于": "chanyu",
    "澹台": "tantai",
}

# --- Titles next to names ------------------------------------------------------

#: Titles that stand before or after a name: 主任崔平, 李泽湘教授. Each also
#: exists with 副 (deputy). Matched longest first, so 总书记 is never 书记.
TITLES_EITHER_SIDE = tuple(
    """
    主任 书记 教授 院长 校长 局长 市长 省长 县长 区长
    部长 主席 董事长 总经理 总裁 所长 厅长 处长 院士
    研究员 秘书长 理事长 会长 社长 主编 总编辑 总工程师
    首席科学家 委员 常委 总监 经理 厂长 镇长 村长 队长
    """.split()
)
#: Titles that only follow a name. 总书记 is the General Secretary: in news it
#: follows the name (习近平总书记) or stands alone (总书记强调); the characters
#: after it never start a new name.
TITLES_AFTER_NAME = ("总书记", "先生", "女士", "同志", "博士", "老师")
#: Titles that only precede a name: 记者张三.
TITLES_BEFORE_NAME = ("记者", "本报记者", "通讯员")

# --- Where names end and begin -------------------------------------------------

#: Characters that are (almost) never part of a name: a name ends before one
#: of these and begins after one (崔平很忙, 与李泽湘教授, 专访了甬江实验室).
NAME_BREAK_CHARS = frozenset(
    "的了是在和与及就也说等对为将已又还都很所从向让被把同跟并而但则却即据由请给这那其该各此之们我你他她它"
)

#: Words that follow a name (崔平表示, 彭佳学来到): a name ends before them,
#: and no name contains one (书记强调 is not the name 强调).
NAME_FOLLOWERS = tuple(
    """
    表示 指出 认为 介绍 强调 说 称 告诉 来到 走访
    调研 出席 主持 会见 带领 率领 一行 等人 曾 成为
    提出 要求 希望 参加 高度 亲自 一直 专门 同时 应邀
    """.split()
)

#: Words that end right before the name of an organisation begins
#: (专访了甬江实验室, 创建甬江科创学院). Break characters count too.
NAME_PRECEDERS = tuple(
    """
    专访 走访 调研 来到 创建 成立 建设 启动 召开 举办
    依托 联合 加入 推动 打造 支持 助力 落户 入驻 设立
    组建 参观 考察 争创 印发 发布 作为 通过 位于 举行
    """.split()
)

# --- Organisations and places --------------------------------------------------

#: Suffixes that end the name of an organisation, and their English: the
#: English name is "<romanised proper name> <suffix>" (甬江实验室 →
#: Yongjiang Laboratory), proposed only when the part before the suffix is a
#: proper name we can romanise. Matched longest first (科学院 before 学院).
ORGANISATION_SUFFIXES = {
    "实验室": "Laboratory",
    "科学院": "Academy of Sciences",
    "研究院": "Research Institute",
    "研究所": "Research Institute",
    "研究中心": "Research Center",
    "委员会": "Committee",
    "基金会": "Foundation",
    "学院": "College",
    "大学": "University",
    "中心": "Center",
    "集团": "Group",
    "公司": "Company",
    "园区": "Park",
    "大会": "Conference",
    "医院": "Hospital",
    "银行": "Bank",
    "协会": "Association",
}

#: The last characters of the names of institutions: jieba tags many words
#: as organisations (nt) that are not (国际化, 中俄关系, 公共交通). An
#: organisation word is one only when it ends in one of these (外交部,
#: 国家统计局, 新华社, 中共中央, 国际田联) or is well attested
#: (``WELL_KNOWN_ORGANISATION_FREQUENCY``). Taken from the endings of the
#: organisation words of jieba's dictionary that name an institution.
ORGANISATION_HEAD_CHARS = frozenset("学会院局司队部社团行委军党所馆心织台校厅联协厂办盟处室央署店报")
#: ... or, without such an ending, when jieba's dictionary counts it at least
#: this often (联合国, 全国人大; not 国际化 689, 美国市场 87). Entries of
#: frequency 3 and less were added in bulk, unchecked (新闻资讯, 党和政府).
WELL_KNOWN_ORGANISATION_FREQUENCY = 1000
UNCHECKED_DICTIONARY_FREQUENCY = 3

#: Heads that name a class of things, not one institution, after a place
#: or a one-character country (美国公司 "US companies", 印度政府 "the
#: Indian government", 叙政府, 中国市场, 喀布尔市中心 "the centre of
#: Kabul"): such a phrase is not a name.
GENERIC_HEADS = ("公司", "企业", "政府", "当局", "市场", "媒体", "军队", "部队", "队", "银行业", "中心")

#: A name whose words before its suffix hold no proper noun (no person,
#: place, organisation, other proper noun or abbreviation, and no word
#: jieba's dictionary lacks) is a common phrase (能源公司, 购物中心,
#: 私人银行, 有限公司) unless it has at least this many such words (国家
#: 艾滋病信托基金会, 代表资格审查委员会).
MIN_COMMON_WORDS_OF_A_NAME = 3

#: Words that begin the names of public bodies while being common nouns
#: (国家统计局, 中央纪委, 全国妇联, 国际田联). Other common nouns before the
#: first proper noun of a name are not part of it (会见|美国泰拉能源公司,
#: 巨头|阿里巴巴集团, 代表|中共中央).
NAME_SCOPE_WORDS = frozenset("国家 中央 全国 国际 世界 地方 省 市 县 区".split())

#: Words that end in an institution's last character without naming one
#: (中西部, 新格局, 当局 "the authorities", 大局).
NOT_ORGANISATION_ENDINGS = tuple(
    """
    东部 西部 南部 北部 中部 内部 外部 全部 局部 格局 大局 当局 结局 社会 机会 大会
    """.split()
)

#: Suffixes of administrative divisions and their English. A city is named
#: without "City" (宁波市 → Ningbo), as English-language news does.
PLACE_SUFFIXES = {
    "省": "Province",
    "市": "",
    "县": "County",
    "区": "District",
}

#: Places we know, with their English names where plain romanisation is not
#: the usual form (西安 Xi'an, 陕西 Shaanxi, 内蒙古 Inner Mongolia). The part
#: before a place suffix must be one of these (启动区 and 先行市 are not places).
KNOWN_PLACES = {
    "北京": "Beijing",
    "上海": "Shanghai",
    "天津": "Tianjin",
    "重庆": "Chongqing",
    "浙江": "Zhejiang",
    "江苏": "Jiangsu",
    "安徽": "Anhui",
    "福建": "Fujian",
    "江西": "Jiangxi",
    "山东": "Shandong",
    "河北": "Hebei",
    "河南": "Henan",
    "湖北": "Hubei",
    "湖南": "Hunan",
    "广东": "Guangdong",
    "海南": "Hainan",
    "四川": "Sichuan",
    "贵州": "Guizhou",
    "云南": "Yunnan",
    "陕西": "Shaanxi",
    "山西": "Shanxi",
    "甘肃": "Gansu",
    "青海": "Qinghai",
    "辽宁": "Liaoning",
    "吉林": "Jilin",
    "黑龙江": "Heilongjiang",
    "内蒙古": "Inner Mongolia",
    "广西": "Guangxi",
    "宁夏": "Ningxia",
    "新疆": "Xinjiang",
    "西藏": "Xizang",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "台湾": "Taiwan",
    "宁波": "Ningbo",
    "杭州": "Hangzhou",
    "温州": "Wenzhou",
    "绍兴": "Shaoxing",
    "嘉兴": "Jiaxing",
    "湖州": "Huzhou",
    "金华": "Jinhua",
    "衢州": "Quzhou",
    "舟山": "Zhoushan",
    "台州": "Taizhou",
    "丽水": "Lishui",
    "南京": "Nanjing",
    "苏州": "Suzhou",
    "广州": "Guangzhou",
    "深圳": "Shenzhen",
    "武汉": "Wuhan",
    "成都": "Chengdu",
    "西安": "Xi'an",
    "厦门": "Xiamen",
    "鄞州": "Yinzhou",
    "北仑": "Beilun",
    "镇海": "Zhenhai",
    "海曙": "Haishu",
    "奉化": "Fenghua",
    "余姚": "Yuyao",
    "慈溪": "Cixi",
    "宁海": "Ninghai",
}

#: A two-character proper name ending in one of these is the name of a river,
#: lake, mountain ... and romanises as one word: 甬江 → Yongjiang (the Yong
#: River, which names 甬江实验室, Yongjiang Laboratory).
GEOGRAPHIC_NAME_ENDINGS = frozenset("江河湖山湾岛海")

#: Words in which a place suffix is not one: 宁波市场 is Ningbo's market,
#: not 宁波市 + 场.
NOT_PLACE_SUFFIX_WORDS = ("市场", "市民", "区域", "区块", "区别", "省份", "县域")

# --- Recurring terms ------------------------------------------------------------

#: General vocabulary of news text: words that recur in any article and that
#: machine translation renders well, so a termbase has no use for them. A
#: recurring n-gram that is one of these is not proposed.
COMMON_WORDS = frozenset(
    """
    发展 推进 建设 需要 可以 具有 如何 进行 提出 实现 推动 加快 加强 提升 提高
    坚持 通过 作为 成为 主要 重要 重大 关键 问题 方面 工作 情况 目前 当前 今年
    去年 近年 近日 未来 不断 已经 正在 全面 深入 充分 积极 努力 不同 相关 同时
    其中 以及 因此 所以 但是 如果 虽然 可能 必须 应该 能够 一些 自己 大家 时间
    过程 方式 水平 能力 条件 基础 体系 领域 项目 企业 社会 经济 国家 全国 地方
    人员 人才 技术 科技 创新 产业 工业 生产 管理 服务 市场 质量 效率 特色 优势
    力量 战略 规划 目标 计划 任务 措施 举措 政策 机制 模式 平台 资源 环境 活动
    研究 研发 应用 形成 探索 实施 开展 支持 保障 促进 带来 起到 看到 认为 表示
    介绍 记者 代表 传统 特征 核心 转型 材料 集成 升级 驱动 先进 印发 规律 工程
    加速 队伍 人类 突破 制造 科研 未来 重点 合作 能源 数据 信息 文化 教育 健康
    城市 农村 地区 世界 国际 中央 政府 部门 单位 群众 人民 时代 历史 今天 明天
    之后 以来 以上 以下 之间 方向 意义 作用 影响 结构 功能 价值 理念 思路 经验
    成果 成绩 效果 结果 内容 要求 原则 标准 规定 制度 组织 领导 干部 同志 专家
    学者 团队 公司 机构 市民 居民 群体 高校 学校 学生 老师 医生 社区 乡村 生活
    工作者 一定 一直 直接 主动 有效 重要性 进一步 高质量 很多
    非常 特别 尤其 比较 更加 越来越 左右 多个 各类 各种 所有 任何 有关 对于 关于
    有何 为何 怎么 怎样 什么 为什么 哪些
    """.split()
)

#: An n-gram that starts with a numeral, a counting word or a determiner
#: (一个, 第一, 每一个人, 次工业革命) is a phrase, not a term.
NUMERAL_STARTS = frozenset("一二三四五六七八九十百千万亿两几第每各某本该此次")

# --- Foreign names in transliteration ------------------------------------------

#: Characters of the Xinhua transliteration tables (《英语姓名译名手册》,
#: 《世界人名翻译大辞典》): the syllables Chinese news writes foreign names
#: with (默克尔, 约翰逊, 特朗普, 安吉拉). Many are also Chinese surnames or
#: given-name characters (马, 林, 华), so membership alone proves nothing:
#: ``romanise.transliteration_score`` weighs each character by how much more
#: often it stands in foreign names than in Chinese ones, learnt from jieba's
#: dictionary, and this set adds the weight of the tables to that.
TRANSLITERATION_CHARACTERS = frozenset(
    "阿埃艾爱安昂奥巴拜班邦保鲍贝本比彼毕宾波玻伯博布查达戴丹道德登迪狄蒂丁东杜敦顿多"
    "俄厄恩尔法凡菲斐费芬丰佛夫弗伏福富盖甘冈戈哥格根贡古瓜圭哈海汉豪赫亨洪胡华怀惠霍"
    "基吉加贾杰捷金居卡凯坎康考柯科可克肯库夸奎昆拉莱赖兰朗劳勒雷蕾黎里理丽利莉列林琳"
    "留隆卢鲁路伦罗洛马玛迈麦曼芒梅门蒙米密敏莫默姆穆纳娜奈南内尼妮涅纽努诺欧帕派潘庞"
    "佩皮珀普奇齐琪恰乔切钦琼丘屈茹瑞若萨塞赛桑瑟森沙莎尚绍舍圣什舒斯丝松索塔泰坦汤唐"
    "陶特滕提廷图托瓦旺威韦维温翁沃乌伍西希锡席夏谢辛欣休雅亚扬耶伊因尤约扎泽詹珍朱兹"
    "佐逊翰茨史彭"
)

#: The separator between the parts of a foreign (or minority) name: 安吉拉·默克尔.
#: Chinese text writes it as U+00B7 and, less carefully, as these look-alikes.
NAME_PART_SEPARATORS = "·•‧・"

#: Words next to a person's name in news (either side): 美国总统特朗普,
#: 特朗普总统, 默克尔女士. A foreign-looking word that jieba calls a person
#: is proposed only with one of these, a separator (·) or a speech verb.
PERSON_CONTEXT_WORDS = frozenset(
    """
    总统 副总统 首相 总理 副总理 主席 国务卿 部长 外长 外交部长 大使 发言人 议员 参议员
    众议员 州长 市长 领导人 国王 女王 王子 公主 王妃 教皇 教宗 总督 法官 律师 检察官
    教练 主教练 主帅 球员 队长 选手 前锋 后卫 门将 中场 车手 冠军 演员 歌手 作家 导演
    作者 画家 教授 博士 学者 专家 研究员 经济学家 分析师 首席执行官 执行官 总裁 董事长 创始人 老板
    先生 女士 夫人 小姐 太太 妻子 丈夫 儿子 女儿 母亲 父亲 记者 编辑 医生 警官 将军 上将
    司令 官员 主任 经理 总经理 CEO
    """.split()
)

#: Words that follow a person's name and nothing else: 默克尔女士, 王先生.
HONORIFICS = frozenset("先生 女士 夫人 小姐 太太 教授 博士 同志".split())

#: Verbs that follow a person's name: 默克尔说, 约翰逊表示.
SPEECH_VERBS = frozenset(
    """
    说 表示 称 指出 认为 告诉 透露 强调 补充 回忆 解释 写道
    坦言 宣布 承认 否认 警告 呼吁 质问 回应 说道 笑称 介绍
    """.split()
)

#: Words that place a Chinese name in Taiwan or in Hong Kong (or Macao),
#: where the press romanises names in their own way: Wade–Giles for Taiwan
#: (陈水扁 Chen Shui-bian), Cantonese for Hong Kong (梁振英 Leung Chun-ying).
TAIWAN_CONTEXT = ("台湾", "台北", "高雄", "台中", "台南", "新竹", "民进党", "国民党", "台当局", "立法院")
HONG_KONG_CONTEXT = ("香港", "港府", "港人", "特区政府", "立法会", "澳门", "九龙", "新界")
#: How far from a name (in characters) such a word counts.
REGION_CONTEXT_WINDOW = 30

# --- Word classes (jieba's part-of-speech tags) ----------------------------------

#: jieba tags that name a person (nr; nrt: transliterated; nrfg: a well-known name).
PERSON_TAGS = frozenset({"nr", "nrt", "nrfg"})
#: jieba tags of words that can be part of the name of an organisation or
#: place (nouns, proper nouns, abbreviations). A name stops at anything else:
#: a verb (告诉|英国广播公司), a preposition, a pronoun, a numeral.
NAME_PART_TAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng", "vn", "an", "b", "l", "ng"})
#: ... and the first word of such a name is a noun or a proper noun, never a
#: verbal noun or a descriptive word (研究|中心 alone is not a name).
NAME_FIRST_TAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng"})
#: jieba tags of proper nouns (people, places, organisations, other names,
#: Latin words): the words that make a phrase a name. Not its abbreviations
#: (j), which are as often common words (房地产, 掌控, 美军).
PROPER_NOUN_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "eng"})
