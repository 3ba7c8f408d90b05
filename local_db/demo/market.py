"""The demo market's fixed facts: real makes and models at approximate 2025–26 list prices
(standards.md §8), cities, and fictional dealers and lenders. The generator's random parameters
live in ``local_db.demo.world``, ``.segments`` and ``.behaviour``; everything here is plain
data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The demo world's "today": interactions run up to it and used cars age to it.
REFERENCE_DATE = date(2026, 11, 28)
HISTORY_START = date(2026, 3, 1)


@dataclass(frozen=True)
class Model:
    make: str
    make_zh: str
    model: str
    body: str
    energy: str
    price: int  # base list price, CNY
    seats: int = 5
    premium: bool = False


MODELS: tuple[Model, ...] = (
    Model("BYD", "比亚迪", "Seagull", "hatchback", "BEV", 69_800, 4),
    Model("BYD", "比亚迪", "Dolphin", "hatchback", "BEV", 99_800),
    Model("BYD", "比亚迪", "Qin PLUS DM-i", "sedan", "PHEV", 79_800),
    Model("BYD", "比亚迪", "Song PLUS DM-i", "suv", "PHEV", 149_800),
    Model("BYD", "比亚迪", "Seal", "sedan", "BEV", 179_800),
    Model("BYD", "比亚迪", "Han EV", "sedan", "BEV", 199_800),
    Model("BYD", "比亚迪", "Tang DM-i", "suv", "PHEV", 229_800, 7),
    Model("Geely", "吉利", "Galaxy E5", "suv", "BEV", 109_800),
    Model("Geely", "吉利", "Galaxy L7", "suv", "PHEV", 125_800),
    Model("Geely", "吉利", "Xingyue L", "suv", "ICE", 139_700),
    Model("Geely", "吉利", "Emgrand", "sedan", "ICE", 72_900),
    Model("Zeekr", "极氪", "001", "wagon", "BEV", 269_000, premium=True),
    Model("Zeekr", "极氪", "7X", "suv", "BEV", 229_900, premium=True),
    Model("Chery", "奇瑞", "Tiggo 8", "suv", "ICE", 109_900, 7),
    Model("Chery", "奇瑞", "Tiggo 7", "suv", "ICE", 89_900),
    Model("Chery", "奇瑞", "Arrizo 8", "sedan", "ICE", 99_900),
    Model("Changan", "长安", "Deepal S07", "suv", "PHEV", 149_900),
    Model("Changan", "长安", "CS75 PLUS", "suv", "ICE", 109_900),
    Model("Changan", "长安", "UNI-V", "sedan", "ICE", 106_900),
    Model("Haval", "哈弗", "H6", "suv", "ICE", 119_800),
    Model("Tank", "坦克", "300", "suv", "ICE", 199_800),
    Model("Great Wall", "长城", "Poer", "pickup", "ICE", 118_800),
    Model("Li Auto", "理想", "L6", "suv", "PHEV", 249_800, premium=True),
    Model("Li Auto", "理想", "L9", "suv", "PHEV", 409_800, 6, premium=True),
    Model("NIO", "蔚来", "ET5", "sedan", "BEV", 298_000, premium=True),
    Model("NIO", "蔚来", "ES6", "suv", "BEV", 338_000, premium=True),
    Model("XPeng", "小鹏", "MONA M03", "sedan", "BEV", 119_800),
    Model("XPeng", "小鹏", "G6", "suv", "BEV", 176_800),
    Model("XPeng", "小鹏", "X9", "mpv", "BEV", 359_800, 7, premium=True),
    Model("Roewe", "荣威", "i5", "sedan", "ICE", 68_900),
    Model("MG", "名爵", "MG4", "hatchback", "BEV", 99_800),
    Model("Wuling", "五菱", "Hongguang MINIEV", "hatchback", "BEV", 39_800, 4),
    Model("Wuling", "五菱", "Bingo", "hatchback", "BEV", 59_800, 4),
    Model("Wuling", "五菱", "Hongguang", "van", "ICE", 58_800, 7),
    Model("Tesla", "特斯拉", "Model 3", "sedan", "BEV", 235_500, premium=True),
    Model("Tesla", "特斯拉", "Model Y", "suv", "BEV", 263_500, premium=True),
    Model("Xiaomi", "小米", "SU7", "sedan", "BEV", 215_900, premium=True),
    Model("AITO", "问界", "M7", "suv", "PHEV", 249_800, premium=True),
    Model("Leapmotor", "零跑", "C10", "suv", "BEV", 128_800),
    Model("GAC Aion", "埃安", "Aion S", "sedan", "BEV", 119_800),
    Model("Volkswagen", "大众", "Lavida", "sedan", "ICE", 119_900),
    Model("Volkswagen", "大众", "Sagitar", "sedan", "ICE", 139_900),
    Model("Volkswagen", "大众", "Tiguan L", "suv", "ICE", 219_900),
    Model("Volkswagen", "大众", "ID.3", "hatchback", "BEV", 129_900),
    Model("Toyota", "丰田", "Corolla", "sedan", "HEV", 119_800),
    Model("Toyota", "丰田", "Camry", "sedan", "HEV", 179_800),
    Model("Toyota", "丰田", "RAV4", "suv", "HEV", 179_800),
    Model("Toyota", "丰田", "Sienna", "mpv", "HEV", 309_800, 7, premium=True),
    Model("Honda", "本田", "Accord", "sedan", "HEV", 179_800),
    Model("Honda", "本田", "CR-V", "suv", "HEV", 189_900),
    Model("Nissan", "日产", "Sylphy", "sedan", "ICE", 99_900),
    Model("Buick", "别克", "GL8", "mpv", "ICE", 329_900, 7, premium=True),
    Model("BMW", "宝马", "3 Series", "sedan", "ICE", 299_900, premium=True),
    Model("BMW", "宝马", "X3", "suv", "ICE", 399_900, premium=True),
    Model("BMW", "宝马", "i3", "sedan", "BEV", 353_900, premium=True),
    Model("Mercedes-Benz", "奔驰", "C-Class", "sedan", "ICE", 339_900, premium=True),
    Model("Mercedes-Benz", "奔驰", "E-Class", "sedan", "ICE", 449_900, premium=True),
    Model("Audi", "奥迪", "A6L", "sedan", "ICE", 419_800, premium=True),
    Model("Audi", "奥迪", "Q5L", "suv", "ICE", 399_800, premium=True),
    Model("Hongqi", "红旗", "H5", "sedan", "ICE", 159_800),
    Model("Ford", "福特", "Transit", "van", "ICE", 159_800, 9),
)


#: The models' names in Chinese, where they have their own (the rest, "Model 3", "H6", keep
#: theirs): what buyers in China call them and search for.
MODEL_ZH: dict[str, str] = {
    "Seagull": "海鸥", "Dolphin": "海豚", "Qin PLUS DM-i": "秦PLUS DM-i",
    "Song PLUS DM-i": "宋PLUS DM-i", "Seal": "海豹", "Han EV": "汉EV", "Tang DM-i": "唐DM-i",
    "Galaxy E5": "银河E5", "Galaxy L7": "银河L7", "Xingyue L": "星越L", "Emgrand": "帝豪",
    "Tiggo 8": "瑞虎8", "Tiggo 7": "瑞虎7", "Arrizo 8": "艾瑞泽8", "Deepal S07": "深蓝S07",
    "Poer": "炮", "Hongguang MINIEV": "宏光MINIEV", "Bingo": "缤果", "Hongguang": "宏光",
    "Lavida": "朗逸", "Sagitar": "速腾", "Tiguan L": "途观L", "Corolla": "卡罗拉",
    "Camry": "凯美瑞", "RAV4": "RAV4荣放", "Sienna": "赛那", "Accord": "雅阁", "Sylphy": "轩逸",
    "3 Series": "3系", "C-Class": "C级", "E-Class": "E级", "Transit": "全顺",
}  # fmt: skip


#: When each model went on sale in China (approximately), for those on sale for less than the
#: eight years a demo used car may be old: no used car is older than its model.
LAUNCHED: dict[tuple[str, str], date] = {
    ("BYD", "Seagull"): date(2023, 4, 26), ("BYD", "Dolphin"): date(2021, 8, 28),
    ("BYD", "Qin PLUS DM-i"): date(2021, 3, 1), ("BYD", "Song PLUS DM-i"): date(2021, 3, 1),
    ("BYD", "Seal"): date(2022, 7, 29), ("BYD", "Han EV"): date(2020, 7, 12),
    ("BYD", "Tang DM-i"): date(2021, 9, 1), ("Geely", "Galaxy E5"): date(2024, 8, 3),
    ("Geely", "Galaxy L7"): date(2023, 5, 31), ("Geely", "Xingyue L"): date(2021, 7, 27),
    ("Zeekr", "001"): date(2021, 10, 23), ("Zeekr", "7X"): date(2024, 9, 20),
    ("Chery", "Tiggo 8"): date(2018, 3, 26), ("Chery", "Arrizo 8"): date(2022, 9, 9),
    ("Changan", "Deepal S07"): date(2023, 7, 25), ("Changan", "CS75 PLUS"): date(2019, 9, 5),
    ("Changan", "UNI-V"): date(2022, 3, 10), ("Tank", "300"): date(2020, 12, 18),
    ("Great Wall", "Poer"): date(2019, 10, 26), ("Li Auto", "L6"): date(2024, 4, 18),
    ("Li Auto", "L9"): date(2022, 8, 30), ("NIO", "ET5"): date(2022, 9, 29),
    ("NIO", "ES6"): date(2019, 6, 18), ("XPeng", "MONA M03"): date(2024, 8, 27),
    ("XPeng", "G6"): date(2023, 6, 29), ("XPeng", "X9"): date(2024, 1, 1),
    ("Roewe", "i5"): date(2019, 3, 22), ("MG", "MG4"): date(2022, 9, 1),
    ("Wuling", "Hongguang MINIEV"): date(2020, 7, 24), ("Wuling", "Bingo"): date(2023, 4, 1),
    ("Tesla", "Model 3"): date(2019, 2, 22), ("Tesla", "Model Y"): date(2021, 1, 1),
    ("Xiaomi", "SU7"): date(2024, 3, 28), ("AITO", "M7"): date(2022, 7, 4),
    ("Leapmotor", "C10"): date(2024, 3, 1), ("GAC Aion", "Aion S"): date(2019, 5, 1),
    ("Volkswagen", "ID.3"): date(2021, 11, 1), ("Toyota", "Sienna"): date(2021, 6, 1),
    ("BMW", "i3"): date(2022, 4, 1),
}  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """A model's official energy figures, approximate 2025–26 values: CLTC pure-electric
    range (km); fuel (L/100 km, WLTC; a PHEV's with its battery depleted); electricity
    (kWh/100 km)."""

    range_km: int | None = None
    fuel: str | None = None
    power: str | None = None


def _bev(range_km: int, power: str) -> Spec:
    return Spec(range_km=range_km, power=power)


def _phev(range_km: int, fuel: str) -> Spec:
    return Spec(range_km=range_km, fuel=fuel)


def _fuel(fuel: str) -> Spec:
    return Spec(fuel=fuel)


#: (make, model) -> its figures; every model of MODELS has one (a test checks)
SPECS: dict[tuple[str, str], Spec] = {
    ("BYD", "Seagull"): _bev(405, "9.9"),
    ("BYD", "Dolphin"): _bev(420, "10.3"),
    ("BYD", "Qin PLUS DM-i"): _phev(120, "3.8"),
    ("BYD", "Song PLUS DM-i"): _phev(110, "4.5"),
    ("BYD", "Seal"): _bev(550, "12.6"),
    ("BYD", "Han EV"): _bev(605, "13.3"),
    ("BYD", "Tang DM-i"): _phev(112, "5.3"),
    ("Geely", "Galaxy E5"): _bev(530, "12.8"),
    ("Geely", "Galaxy L7"): _phev(115, "5.2"),
    ("Geely", "Xingyue L"): _fuel("7.3"),
    ("Geely", "Emgrand"): _fuel("5.9"),
    ("Zeekr", "001"): _bev(705, "15.2"),
    ("Zeekr", "7X"): _bev(705, "14.8"),
    ("Chery", "Tiggo 8"): _fuel("7.8"),
    ("Chery", "Tiggo 7"): _fuel("7.2"),
    ("Chery", "Arrizo 8"): _fuel("6.6"),
    ("Changan", "Deepal S07"): _phev(200, "6.3"),
    ("Changan", "CS75 PLUS"): _fuel("7.5"),
    ("Changan", "UNI-V"): _fuel("6.5"),
    ("Haval", "H6"): _fuel("7.4"),
    ("Tank", "300"): _fuel("10.6"),
    ("Great Wall", "Poer"): _fuel("9.6"),
    ("Li Auto", "L6"): _phev(212, "6.5"),
    ("Li Auto", "L9"): _phev(280, "7.2"),
    ("NIO", "ET5"): _bev(560, "14.6"),
    ("NIO", "ES6"): _bev(500, "16.5"),
    ("XPeng", "MONA M03"): _bev(515, "11.9"),
    ("XPeng", "G6"): _bev(580, "13.2"),
    ("XPeng", "X9"): _bev(610, "16.8"),
    ("Roewe", "i5"): _fuel("6.2"),
    ("MG", "MG4"): _bev(425, "12.9"),
    ("Wuling", "Hongguang MINIEV"): _bev(215, "8.1"),
    ("Wuling", "Bingo"): _bev(333, "9.8"),
    ("Wuling", "Hongguang"): _fuel("7.8"),
    ("Tesla", "Model 3"): _bev(606, "11.9"),
    ("Tesla", "Model Y"): _bev(554, "12.7"),
    ("Xiaomi", "SU7"): _bev(700, "12.9"),
    ("AITO", "M7"): _phev(240, "6.4"),
    ("Leapmotor", "C10"): _bev(530, "13.9"),
    ("GAC Aion", "Aion S"): _bev(510, "12.3"),
    ("Volkswagen", "Lavida"): _fuel("5.7"),
    ("Volkswagen", "Sagitar"): _fuel("6.0"),
    ("Volkswagen", "Tiguan L"): _fuel("7.8"),
    ("Volkswagen", "ID.3"): _bev(450, "12.9"),
    ("Toyota", "Corolla"): _fuel("4.1"),
    ("Toyota", "Camry"): _fuel("4.5"),
    ("Toyota", "RAV4"): _fuel("5.3"),
    ("Toyota", "Sienna"): _fuel("5.3"),
    ("Honda", "Accord"): _fuel("4.6"),
    ("Honda", "CR-V"): _fuel("5.3"),
    ("Nissan", "Sylphy"): _fuel("5.9"),
    ("Buick", "GL8"): _fuel("8.9"),
    ("BMW", "3 Series"): _fuel("6.7"),
    ("BMW", "X3"): _fuel("7.9"),
    ("BMW", "i3"): _bev(526, "14.6"),
    ("Mercedes-Benz", "C-Class"): _fuel("7.0"),
    ("Mercedes-Benz", "E-Class"): _fuel("7.4"),
    ("Audi", "A6L"): _fuel("7.5"),
    ("Audi", "Q5L"): _fuel("8.0"),
    ("Hongqi", "H5"): _fuel("6.6"),
    ("Ford", "Transit"): _fuel("9.5"),
}

#: (trim name, price uplift over the base)
TRIMS: tuple[tuple[str, float], ...] = (("Standard", 0.0), ("Pro", 0.09), ("Max", 0.18))

COLOURS = ("white", "black", "silver", "grey", "blue", "red", "green", "yellow", "brown")
COLOUR_WEIGHTS = (30, 20, 14, 12, 9, 6, 4, 3, 2)

#: (city key, city in Chinese, ID-number region code)
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Beijing", "北京", "110105"),
    ("Shanghai", "上海", "310115"),
    ("Guangzhou", "广州", "440106"),
    ("Shenzhen", "深圳", "440305"),
    ("Chengdu", "成都", "510107"),
    ("Hangzhou", "杭州", "330106"),
    ("Wuhan", "武汉", "420106"),
    ("Xi'an", "西安", "610113"),
    ("Nanjing", "南京", "320104"),
    ("Chongqing", "重庆", "500103"),
    ("Suzhou", "苏州", "320506"),
    ("Tianjin", "天津", "120104"),
)


@dataclass(frozen=True)
class DealerSpec:
    name_zh: str
    name_en: str
    city: str
    brands: tuple[str, ...]  # empty: a multi-brand used-car dealer
    sells_used: bool = True


#: Each demo dealership's showroom: a made-up address, and a number that cannot be dialled (no
#: Chinese local number starts with 0 after its area code), so a tap on "Call" reaches no one.
DEALER_CONTACTS: dict[str, tuple[str, str, str]] = {
    "Pujiang NEV Auto Mall": ("上海市闵行区浦江路 888 号", "888 Pujiang Road, Minhang, Shanghai",
                              "021-0000 0101"),
    "Shencheng United Motors": ("上海市嘉定区申城大道 66 号",
                                "66 Shencheng Avenue, Jiading, Shanghai", "021-0000 0102"),
    "Jinghua Auto Plaza": ("北京市朝阳区京华路 18 号", "18 Jinghua Road, Chaoyang, Beijing",
                           "010-0000 0103"),
    "Yanshan New Energy": ("北京市海淀区燕山街 9 号", "9 Yanshan Street, Haidian, Beijing",
                           "010-0000 0104"),
    "Pearl River Auto Port": ("广州市番禺区珠江大道 200 号",
                              "200 Pearl River Avenue, Panyu, Guangzhou", "020-0000 0105"),
    "Pengcheng Smart Mobility": ("深圳市南山区鹏城路 36 号",
                                 "36 Pengcheng Road, Nanshan, Shenzhen", "0755-0000 0106"),
    "Tianfu Auto City": ("成都市武侯区天府大道 120 号", "120 Tianfu Avenue, Wuhou, Chengdu",
                         "028-0000 0107"),
    "West Lake Motor Club": ("杭州市西湖区湖滨路 7 号", "7 Hubin Road, Xihu, Hangzhou",
                             "0571-0000 0108"),
    "Jiangcheng Auto Trading": ("武汉市江汉区江城路 52 号", "52 Jiangcheng Road, Jianghan, Wuhan",
                                "027-0000 0109"),
    "Chang'an Street Commercial": ("西安市未央区长安街 300 号",
                                   "300 Chang'an Street, Weiyang, Xi'an", "029-0000 0110"),
    "Jinling Auto Park": ("南京市江宁区金陵路 15 号", "15 Jinling Road, Jiangning, Nanjing",
                          "025-0000 0111"),
    "Shancheng Good Cars (used)": ("重庆市渝北区山城路 41 号",
                                   "41 Shancheng Road, Yubei, Chongqing", "023-0000 0112"),
    "Gusu Select Used Cars": ("苏州市姑苏区古城路 23 号", "23 Gucheng Road, Gusu, Suzhou",
                              "0512-0000 0113"),
    "Jinmen Car Market": ("天津市河西区津门路 77 号", "77 Jinmen Road, Hexi, Tianjin",
                          "022-0000 0114"),
}  # fmt: skip


DEALERS: tuple[DealerSpec, ...] = (
    DealerSpec("浦江新能源汽车城", "Pujiang NEV Auto Mall", "Shanghai", ("BYD", "Tesla", "NIO")),
    DealerSpec(
        "申城联合汽车", "Shencheng United Motors", "Shanghai", ("Volkswagen", "Roewe", "MG")
    ),
    DealerSpec("京华汽车广场", "Jinghua Auto Plaza", "Beijing", ("BMW", "Mercedes-Benz", "Audi")),
    DealerSpec("燕山新能源", "Yanshan New Energy", "Beijing", ("Li Auto", "Xiaomi", "AITO")),
    DealerSpec("珠江汽车港", "Pearl River Auto Port", "Guangzhou", ("GAC Aion", "Toyota", "Honda")),
    DealerSpec("鹏城智行汽车", "Pengcheng Smart Mobility", "Shenzhen", ("BYD", "XPeng", "Zeekr")),
    DealerSpec("天府汽车城", "Tianfu Auto City", "Chengdu", ("Geely", "Changan", "Chery")),
    DealerSpec("西湖汽车会", "West Lake Motor Club", "Hangzhou", ("Geely", "Zeekr", "Leapmotor")),
    DealerSpec("江城汽车商贸", "Jiangcheng Auto Trading", "Wuhan", ("Haval", "Tank", "Great Wall")),
    DealerSpec("长安街商务车", "Chang'an Street Commercial", "Xi'an", ("Wuling", "Ford", "Buick")),
    DealerSpec("金陵汽车园", "Jinling Auto Park", "Nanjing", ("Nissan", "Hongqi", "Honda")),
    DealerSpec("山城好车二手车", "Shancheng Good Cars (used)", "Chongqing", ()),
    DealerSpec("姑苏优选二手车", "Gusu Select Used Cars", "Suzhou", ()),
    DealerSpec("津门车市", "Jinmen Car Market", "Tianjin", ()),
)


@dataclass(frozen=True)
class LenderSpec:
    key: str
    name_zh: str
    name_en: str
    type: str
    captive_brands: tuple[str, ...] = ()


LENDERS: tuple[LenderSpec, ...] = (
    LenderSpec("huaxin", "华信银行", "Huaxin Bank", "bank"),
    LenderSpec("dongyue", "东岳银行", "Dongyue Bank", "bank"),
    LenderSpec("jiangnan", "江南商业银行", "Jiangnan Commercial Bank", "bank"),
    LenderSpec("haitun", "鹏程汽车金融", "Pengcheng Auto Finance", "auto_finance", ("BYD",)),
    LenderSpec(
        "xingyue", "钱塘汽车金融", "Qiantang Auto Finance", "auto_finance", ("Geely", "Zeekr")
    ),
    LenderSpec(
        "deyun", "德运汽车金融", "Deyun Auto Finance", "auto_finance", ("Volkswagen", "Audi")
    ),
    LenderSpec(
        "fenglian",
        "丰联汽车金融",
        "Fenglian Auto Finance",
        "auto_finance",
        ("Toyota", "Honda", "Nissan"),
    ),
    LenderSpec(
        "baode", "宝德汽车金融", "Baode Auto Finance", "auto_finance", ("BMW", "Mercedes-Benz")
    ),
    LenderSpec("yian", "易安消费金融", "Yi'an Consumer Finance", "consumer_finance"),
    LenderSpec("chengxin", "橙信消费金融", "Chengxin Consumer Finance", "consumer_finance"),
    LenderSpec("chiyuan", "驰远融资租赁", "Chiyuan Finance Leasing", "finance_leasing"),
    LenderSpec("wantu", "万途融资租赁", "Wantu Finance Leasing", "finance_leasing"),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华慧建国晨宇浩然欣怡子轩雨萱博文思远梓涵一诺"
