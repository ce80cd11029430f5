"""The demo's cast: the user's own account and the people around it, with full profiles."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

from qqdesk.core import ConversationKind
from qqdesk.protocol.classic import AuthMode, Status
from qqdesk.protocol.classic.types import BloodType, Constellation, Profile, Sex, Zodiac


class Role(enum.Enum):
    """How a demo person relates to the user when the demo starts."""

    #: In the user's buddy list, and the user in theirs.
    BUDDY = "buddy"
    #: Not in the list; messages the user out of the blue.
    STRANGER = "stranger"
    #: Not in the list; asks to be added after a short delay.
    REQUESTER = "requester"
    #: Not in the list; someone the user can try to add.
    CANDIDATE = "candidate"


class Behaviour(enum.Enum):
    """Which bot (see :mod:`qqdesk.demo.bots`) drives a demo person; NONE stays offline."""

    NONE = "none"
    #: Friendly bot that repeats what it hears, in Chinese and English.
    ECHO = "echo"
    #: Tells the time and date.
    CLOCK = "clock"
    #: Goes busy, invisible and back online over time.
    MOODY = "moody"
    #: Online with a fixed status, answers once with an auto-reply.
    RESIDENT = "resident"
    #: A stranger who says hello after a delay.
    STRANGER = "stranger"
    #: Sends the user an add request after a delay.
    REQUESTER = "requester"
    #: Approves add requests after a few seconds.
    APPROVER = "approver"
    #: Refuses every add request.
    REFUSER = "refuser"


@dataclass(frozen=True)
class DemoPerson:
    """One account of the demo world, and how it behaves."""

    profile: Profile
    password: str
    role: Role
    behaviour: Behaviour = Behaviour.NONE
    auth: AuthMode = AuthMode.ANYONE
    #: The status a bot takes when it logs in.
    status: Status = Status.ONLINE
    #: Seconds (before the speed factor) until a stranger writes or a requester asks.
    delay: float = 0.0
    #: What the person says first (strangers) or as the request reason (requesters).
    opening: str = ""
    #: Auto-reply of residents, refusal reason of refusers.
    answer: str = ""

    @property
    def uin(self) -> int:
        return self.profile.uin

    @property
    def nick(self) -> str:
        return self.profile.nick


#: Password of every demo account; the demo is a playground, not a vault.
DEMO_PASSWORD = "demo"

#: Fields of :class:`Profile` that hold the legacy server's unknown values.
UNKNOWN_FIELDS = ("cv", "id_field", "mt", "mv")


def profile_fields(profile: Profile) -> dict[str, object]:
    """The profile as keyword arguments for the server's admin API (uin and nick apart)."""
    skip = {"uin", "nick", "face"}
    return {f.name: getattr(profile, f.name) for f in fields(profile) if f.name not in skip}


def _profile(uin: int, nick: str, face: int, **kw: object) -> Profile:
    # The values the legacy server sent for its unknown fields (seed 001: CV=%01,
    # ID=-, MT=0, MV=); ours are printable so every field reads as filled in.
    kw.setdefault("cv", "1")
    kw.setdefault("id_field", "-")
    kw.setdefault("mt", "0")
    kw.setdefault("mv", "0")
    return Profile(uin=uin, nick=nick, face=face, **kw)  # type: ignore[arg-type]


ME = DemoPerson(
    profile=_profile(
        10001,
        "我 Me",
        0,
        age=25,
        sex=Sex.MALE,
        province="北京 Beijing",
        city="北京 Beijing",
        country="中国 China",
        address="海淀区中关村大街1号 1 Zhongguancun St, Haidian",
        postcode="100080",
        phone="010-62512345",
        mobile="138****0001",
        email="me@demo.qqdesk.invalid",
        homepage="https://qqdesk.invalid/me",
        job="软件工程师 Software engineer",
        school="北京大学 Peking University",
        real_name="演示用户 Demo User",
        intro="这是演示账号，随便试试吧。\r\n"
        "This is the demo account, feel free to try things out.",
        blood_type=BloodType.O,
        constellation=Constellation.LIBRA,
        zodiac=Zodiac.DRAGON,
    ),
    password=DEMO_PASSWORD,
    role=Role.BUDDY,
    # Verification, so that people who add the user arrive as requests to answer.
    auth=AuthMode.VERIFY,
)

BUDDIES: tuple[DemoPerson, ...] = (
    DemoPerson(
        profile=_profile(
            10002,
            "小回声 Echo",
            27,
            age=3,
            sex=Sex.FEMALE,
            province="广东 Guangdong",
            city="深圳 Shenzhen",
            country="中国 China",
            address="南山区科技园 Science Park, Nanshan",
            postcode="518057",
            phone="0755-86001234",
            mobile="139****0002",
            email="echo@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/echo",
            job="聊天机器人 Chat bot",
            school="机器学习小学 Machine Learning Primary",
            real_name="回声 Echo",
            intro="我是一个友好的机器人，你说什么我都会回应。\r\n"
            "I am a friendly bot, I answer whatever you say.\r\n"
            "试试：你好、help、时间",
            blood_type=BloodType.OTHER,
            constellation=Constellation.GEMINI,
            zodiac=Zodiac.RABBIT,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
        behaviour=Behaviour.ECHO,
    ),
    DemoPerson(
        profile=_profile(
            10003,
            "报时鸟 Clock",
            54,
            age=1,
            sex=Sex.MALE,
            province="上海 Shanghai",
            city="上海 Shanghai",
            country="中国 China",
            address="黄浦区中山东一路 The Bund, Huangpu",
            postcode="200002",
            phone="021-63210000",
            mobile="137****0003",
            email="clock@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/clock",
            job="报时员 Time keeper",
            school="钟表学院 Horology College",
            real_name="钟先生 Mr. Zhong",
            intro="问我时间，日期，星期几。\r\nAsk me the time, the date, the weekday.",
            blood_type=BloodType.A,
            constellation=Constellation.CAPRICORN,
            zodiac=Zodiac.ROOSTER,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
        behaviour=Behaviour.CLOCK,
    ),
    DemoPerson(
        profile=_profile(
            10004,
            "李雷 Li Lei",
            81,
            age=24,
            sex=Sex.MALE,
            province="浙江 Zhejiang",
            city="杭州 Hangzhou",
            country="中国 China",
            address="西湖区文三路90号 90 Wensan Rd, Xihu",
            postcode="310012",
            phone="0571-88881234",
            mobile="136****0004",
            email="lilei@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/lilei",
            job="产品经理 Product manager",
            school="浙江大学 Zhejiang University",
            real_name="李雷 Li Lei",
            intro="忙，忙，忙。\r\nBusy, busy, busy.\r\n有事请留言 Leave a message.",
            blood_type=BloodType.B,
            constellation=Constellation.ARIES,
            zodiac=Zodiac.HORSE,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
        behaviour=Behaviour.MOODY,
    ),
    DemoPerson(
        profile=_profile(
            10005,
            "韩梅梅 Han Meimei",
            108,
            age=23,
            sex=Sex.FEMALE,
            province="江苏 Jiangsu",
            city="南京 Nanjing",
            country="中国 China",
            address="鼓楼区汉口路22号 22 Hankou Rd, Gulou",
            postcode="210093",
            phone="025-83591234",
            mobile="135****0005",
            email="meimei@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/meimei",
            job="英语老师 English teacher",
            school="南京大学 Nanjing University",
            real_name="韩梅梅 Han Meimei",
            intro="喜欢读书，旅行，摄影。\r\nI like books, travel and photography.",
            blood_type=BloodType.AB,
            constellation=Constellation.PISCES,
            zodiac=Zodiac.SNAKE,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
        behaviour=Behaviour.RESIDENT,
        status=Status.ONLINE,
        answer="我在备课，稍后回复你。\nPreparing a lesson, I'll get back to you soon.",
    ),
    DemoPerson(
        profile=_profile(
            10006,
            "王芳 Wang Fang",
            135,
            age=29,
            sex=Sex.FEMALE,
            province="四川 Sichuan",
            city="成都 Chengdu",
            country="中国 China",
            address="武侯区人民南路 South Renmin Rd, Wuhou",
            postcode="610041",
            phone="028-85401234",
            mobile="133****0006",
            email="wangfang@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/wangfang",
            job="医生 Doctor",
            school="四川大学华西医学院 West China School of Medicine",
            real_name="王芳 Wang Fang",
            intro="值班中，急事请打电话。\r\nOn duty, call me if it is urgent.",
            blood_type=BloodType.A,
            constellation=Constellation.VIRGO,
            zodiac=Zodiac.OX,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
        behaviour=Behaviour.RESIDENT,
        status=Status.BUSY,
        answer="[自动回复] 我正在忙，稍后联系。\n[Auto-reply] I'm busy, talk later.",
    ),
    DemoPerson(
        profile=_profile(
            10007,
            "张伟 Zhang Wei",
            162,
            age=31,
            sex=Sex.MALE,
            province="湖北 Hubei",
            city="武汉 Wuhan",
            country="中国 China",
            address="洪山区珞喻路1037号 1037 Luoyu Rd, Hongshan",
            postcode="430074",
            phone="027-87541234",
            mobile="150****0007",
            email="zhangwei@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/zhangwei",
            job="建筑师 Architect",
            school="华中科技大学 Huazhong Univ. of Science and Technology",
            real_name="张伟 Zhang Wei",
            intro="热爱篮球，热干面，长江。\r\nBasketball, hot dry noodles, the Yangtze.",
            blood_type=BloodType.O,
            constellation=Constellation.LEO,
            zodiac=Zodiac.TIGER,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
    ),
    DemoPerson(
        profile=_profile(
            10008,
            "Emily 陈艾米",
            189,
            age=27,
            sex=Sex.FEMALE,
            province="台湾 Taiwan",
            city="台北 Taipei",
            country="中国 China",
            address="信义区松高路 Songgao Rd, Xinyi",
            postcode="110",
            phone="02-27201234",
            mobile="0912****08",
            email="emily@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/emily",
            job="设计师 Designer",
            school="台湾大学 National Taiwan University",
            real_name="陈艾米 Emily Chen",
            intro="画画，咖啡，猫。\r\nDrawing, coffee, cats.\r\nPortfolio on my homepage.",
            blood_type=BloodType.B,
            constellation=Constellation.TAURUS,
            zodiac=Zodiac.GOAT,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
    ),
    DemoPerson(
        profile=_profile(
            10009,
            "刘洋 Liu Yang",
            216,
            age=35,
            sex=Sex.MALE,
            province="陕西 Shaanxi",
            city="西安 Xi'an",
            country="中国 China",
            address="雁塔区小寨东路 East Xiaozhai Rd, Yanta",
            postcode="710061",
            phone="029-85301234",
            mobile="152****0009",
            email="liuyang@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/liuyang",
            job="历史学者 Historian",
            school="西北大学 Northwest University",
            real_name="刘洋 Liu Yang",
            intro="秦砖汉瓦，兵马俑，肉夹馍。\r\nQin bricks, the Terracotta Army, roujiamo.",
            blood_type=BloodType.AB,
            constellation=Constellation.SCORPIO,
            zodiac=Zodiac.MONKEY,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
    ),
    DemoPerson(
        profile=_profile(
            10010,
            "赵敏 Zhao Min",
            243,
            age=22,
            sex=Sex.FEMALE,
            province="黑龙江 Heilongjiang",
            city="哈尔滨 Harbin",
            country="中国 China",
            address="南岗区西大直街92号 92 Xidazhi St, Nangang",
            postcode="150001",
            phone="0451-86411234",
            mobile="186****0010",
            email="zhaomin@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/zhaomin",
            job="研究生 Graduate student",
            school="哈尔滨工业大学 Harbin Institute of Technology",
            real_name="赵敏 Zhao Min",
            intro="冰雪，滑雪，机器人。\r\nIce, skiing, robots.",
            blood_type=BloodType.O,
            constellation=Constellation.SAGITTARIUS,
            zodiac=Zodiac.PIG,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
    ),
    DemoPerson(
        profile=_profile(
            10011,
            "David 大卫",
            270,
            age=40,
            sex=Sex.MALE,
            province="England 英格兰",
            city="London 伦敦",
            country="United Kingdom 英国",
            address="221B Baker Street 贝克街221B号",
            postcode="NW1 6XE",
            phone="+44 20 7946 0011",
            mobile="+44 7700 900011",
            email="david@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/david",
            job="Translator 翻译",
            school="University of Edinburgh 爱丁堡大学",
            real_name="David Smith 史大卫",
            intro="Learning Chinese, 学习中文，\r\nhappy to swap languages. 欢迎语言交换。",
            blood_type=BloodType.A,
            constellation=Constellation.AQUARIUS,
            zodiac=Zodiac.DOG,
        ),
        password=DEMO_PASSWORD,
        role=Role.BUDDY,
        behaviour=Behaviour.RESIDENT,
        status=Status.ONLINE,
        answer="Hi! 你好！ Nice to hear from you, 很高兴收到你的消息。",
    ),
)

OTHERS: tuple[DemoPerson, ...] = (
    DemoPerson(
        profile=_profile(
            10020,
            "路人甲 Passer-by",
            297,
            age=26,
            sex=Sex.MALE,
            province="福建 Fujian",
            city="厦门 Xiamen",
            country="中国 China",
            address="思明区环岛路 Huandao Rd, Siming",
            postcode="361005",
            phone="0592-21801234",
            mobile="131****0020",
            email="passerby@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/passerby",
            job="自由职业 Freelancer",
            school="厦门大学 Xiamen University",
            real_name="甲先生 Mr. Jia",
            intro="随便看看，交个朋友。\r\nJust looking around, making friends.",
            blood_type=BloodType.B,
            constellation=Constellation.CANCER,
            zodiac=Zodiac.RAT,
        ),
        password=DEMO_PASSWORD,
        role=Role.STRANGER,
        behaviour=Behaviour.STRANGER,
        delay=6.0,
        opening="你好！在查找用户里看到你，可以聊聊吗？\n"
        "Hi! I found you in the user search, may we chat?",
        answer="谢谢回复！祝你今天愉快。\nThanks for answering! Have a nice day.",
    ),
    DemoPerson(
        profile=_profile(
            10021,
            "小雨 Xiaoyu",
            12,
            age=20,
            sex=Sex.FEMALE,
            province="云南 Yunnan",
            city="昆明 Kunming",
            country="中国 China",
            address="五华区翠湖南路 South Cuihu Rd, Wuhua",
            postcode="650031",
            phone="0871-65031234",
            mobile="158****0021",
            email="xiaoyu@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/xiaoyu",
            job="学生 Student",
            school="云南大学 Yunnan University",
            real_name="林小雨 Lin Xiaoyu",
            intro="网络为媒，关系为本，信息为财，客户为主。\r\nThe net as medium, people first.",
            blood_type=BloodType.A,
            constellation=Constellation.PISCES,
            zodiac=Zodiac.SNAKE,
        ),
        password=DEMO_PASSWORD,
        role=Role.STRANGER,
        behaviour=Behaviour.STRANGER,
        delay=15.0,
        opening="请问是演示用户吗？我发错人了吗？\nExcuse me, are you the demo user? Wrong person?",
        answer="哈哈，那没关系！\nHa, no problem then!",
    ),
    DemoPerson(
        profile=_profile(
            10022,
            "新朋友 Newcomer",
            39,
            age=28,
            sex=Sex.MALE,
            province="山东 Shandong",
            city="青岛 Qingdao",
            country="中国 China",
            address="市南区香港中路 Middle Hong Kong Rd, Shinan",
            postcode="266071",
            phone="0532-85901234",
            mobile="132****0022",
            email="newcomer@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/newcomer",
            job="海洋工程师 Ocean engineer",
            school="中国海洋大学 Ocean University of China",
            real_name="周新 Zhou Xin",
            intro="大海，啤酒，帆船。\r\nThe sea, beer, sailing.",
            blood_type=BloodType.O,
            constellation=Constellation.LIBRA,
            zodiac=Zodiac.DRAGON,
        ),
        password=DEMO_PASSWORD,
        role=Role.REQUESTER,
        behaviour=Behaviour.REQUESTER,
        delay=10.0,
        opening="我们在演示里见过，加个好友吧！\nWe met in the demo, let's be friends!",
        answer="谢谢通过！以后多聊。\nThanks for accepting! Let's talk more.",
    ),
    DemoPerson(
        profile=_profile(
            10030,
            "需验证 Verify Me",
            66,
            age=33,
            sex=Sex.FEMALE,
            province="湖南 Hunan",
            city="长沙 Changsha",
            country="中国 China",
            address="岳麓区麓山南路 South Lushan Rd, Yuelu",
            postcode="410082",
            phone="0731-88821234",
            mobile="189****0030",
            email="verify@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/verify",
            job="律师 Lawyer",
            school="湖南大学 Hunan University",
            real_name="陈静 Chen Jing",
            intro="加我请写明来意，我会在几秒内通过。\r\n"
            "Tell me who you are, I approve within seconds.",
            blood_type=BloodType.A,
            constellation=Constellation.VIRGO,
            zodiac=Zodiac.TIGER,
        ),
        password=DEMO_PASSWORD,
        role=Role.CANDIDATE,
        behaviour=Behaviour.APPROVER,
        auth=AuthMode.VERIFY,
        delay=4.0,
        answer="你好，已通过你的请求！\nHello, I approved your request!",
    ),
    DemoPerson(
        profile=_profile(
            10031,
            "谢绝打扰 No Thanks",
            93,
            age=45,
            sex=Sex.MALE,
            province="天津 Tianjin",
            city="天津 Tianjin",
            country="中国 China",
            address="和平区南京路 Nanjing Rd, Heping",
            postcode="300040",
            phone="022-23301234",
            mobile="130****0031",
            email="nothanks@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/nothanks",
            job="作家 Writer",
            school="南开大学 Nankai University",
            real_name="隐士 The Hermit",
            intro="闭关写作中，不加好友。\r\nWriting in seclusion, adding nobody.",
            blood_type=BloodType.B,
            constellation=Constellation.CAPRICORN,
            zodiac=Zodiac.OX,
        ),
        password=DEMO_PASSWORD,
        role=Role.CANDIDATE,
        # The server itself turns everyone away (AddToList CD=3); the bot only chats.
        behaviour=Behaviour.RESIDENT,
        auth=AuthMode.NOBODY,
        answer="抱歉，我不加任何人为好友。\nSorry, I add nobody to my list.",
    ),
    DemoPerson(
        profile=_profile(
            10032,
            "挑剔 Picky",
            120,
            age=38,
            sex=Sex.FEMALE,
            province="重庆 Chongqing",
            city="重庆 Chongqing",
            country="中国 China",
            address="渝中区解放碑 Jiefangbei, Yuzhong",
            postcode="400010",
            phone="023-63801234",
            mobile="187****0032",
            email="picky@demo.qqdesk.invalid",
            homepage="https://qqdesk.invalid/picky",
            job="美食评论家 Food critic",
            school="重庆大学 Chongqing University",
            real_name="唐娟 Tang Juan",
            intro="只加认识的人，火锅除外。\r\nI only add people I know, hotpot lovers aside.",
            blood_type=BloodType.AB,
            constellation=Constellation.LEO,
            zodiac=Zodiac.GOAT,
        ),
        password=DEMO_PASSWORD,
        role=Role.CANDIDATE,
        # Asks for verification, then says no: the request-refused path.
        behaviour=Behaviour.REFUSER,
        auth=AuthMode.VERIFY,
        answer="抱歉，我只加认识的人。\nSorry, I only add people I know.",
    ),
)

#: Everybody but the user, buddies first.
PEOPLE: tuple[DemoPerson, ...] = BUDDIES + OTHERS

#: Everybody, the user first.
EVERYONE: tuple[DemoPerson, ...] = (ME, *PEOPLE)


def person(uin: int) -> DemoPerson:
    """The demo person with this number; KeyError when there is none."""
    for p in EVERYONE:
        if p.uin == uin:
            return p
    raise KeyError(uin)


@dataclass(frozen=True)
class DemoRoom:
    """A group or discussion of the demo world and what its bots say there, in turn."""

    kind: ConversationKind
    name: str
    #: A group's owner (its first member); None for a discussion.
    owner: int | None
    members: tuple[int, ...]
    #: (member, group card) for members known by a card there.
    cards: tuple[tuple[int, str], ...] = ()
    #: (speaker, text) said one after the other, again after a while.
    talk: tuple[tuple[int, str], ...] = ()


ROOMS: tuple[DemoRoom, ...] = (
    DemoRoom(
        ConversationKind.GROUP,
        "周末爬山 Weekend hiking",
        owner=10005,
        members=(10005, 10001, 10002, 10004, 10011),
        cards=((10005, "领队梅梅 Leader Meimei"), (10011, "大卫（摄影）David")),
        talk=(
            (
                10005,
                "周六早上八点，香山东门集合。/太阳 \nSaturday 8 am at the east gate of Xiangshan.",
            ),
            (10004, "我带水和面包！/强 \nI'll bring water and bread."),
            (10011, "I'll take photos /呲牙 \n我负责拍照。"),
            (10002, "记得带帽子哦。/可爱 \nDon't forget a hat."),
            (10005, "下雨就改去博物馆。/微笑 \nIf it rains, we go to the museum instead."),
        ),
    ),
    DemoRoom(
        ConversationKind.GROUP,
        "读书会 Book club",
        owner=10011,
        members=(10011, 10001, 10003, 10006),
        talk=(
            (10011, "这个月读《三体》。/咖啡 \nThis month: The Three-Body Problem."),
            (10006, "我读到第十章了。/偷笑 \nI'm at chapter ten."),
            (10003, "报时：读书会周日下午三点开始。\nTime check: the club meets Sunday at 3 pm."),
        ),
    ),
    DemoRoom(
        ConversationKind.DISCUSSION,
        "周六聚餐 Saturday dinner",
        owner=None,
        members=(10001, 10004, 10005),
        talk=(
            (10004, "爬完山去吃火锅？/饭 \nHot pot after the hike?"),
            (10005, "好呀！我订位。/OK \nSure! I'll book a table."),
        ),
    ),
)
