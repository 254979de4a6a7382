#!/usr/bin/env python3
"""Export the word lists behind `rampart seed` into Sources/RampartSim/Resources/world-lists.json.

Run once by a developer (standard library + Faker, `pip install faker`):

    python3 tools/export_world_lists.py

Names and companies come from Faker (MIT licence) with a fixed Faker seed, so a rerun with
the same Faker version writes the same file. Everything else (pinyin, cities, schools,
hospitals, job families, skills, degrees, mail hosts) is written by hand below. The Swift
seeder only reads the JSON; it never needs Python or Faker. See Resources/SOURCES.md.
"""

import importlib
import json
import os
import random
import sys
import unicodedata

import faker
from faker import Faker

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "Sources", "RampartSim", "Resources")
OUT_JSON = os.path.join(OUT_DIR, "world-lists.json")

FAKER_SEED = 20260301
COMPANIES_PER_CULTURE = 200
GIVEN_NAMES_PER_CULTURE = 300
FAMILY_NAMES_PER_CULTURE = 300


def person(locale):
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def ascii_fold(text):
    """Latin text as plain ASCII for mail addresses: Müller -> Mueller, José -> Jose."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"), ("ñ", "n"), ("Ñ", "N")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c) and c.isascii())


def entries(pairs):
    """[(name, latin, weight)] -> JSON objects, leaving out latin when it equals the name
    and weight when it is 1."""
    out = []
    for name, latin, weight in pairs:
        item = {"name": name}
        if latin and latin != name:
            item["latin"] = latin
        if weight is not None and abs(weight - 1.0) > 1e-12:
            item["weight"] = round(weight, 6)
        out.append(item)
    return out


def weighted_items(seq):
    """Faker keeps some lists as OrderedDict(name -> frequency), others as plain tuples."""
    if hasattr(seq, "items"):
        return [(k, float(v)) for k, v in seq.items()]
    return [(k, 1.0) for k in seq]


def top_unique(items, n):
    seen = set()
    out = []
    for name, w in sorted(items, key=lambda x: -x[1]) if any(w != 1.0 for _, w in items) else items:
        if name in seen:
            continue
        seen.add(name)
        out.append((name, w))
    return out[:n]


def spread(items, n, seed):
    """n items spread over the whole (alphabetical) list, in their original order."""
    if len(items) <= n:
        return list(items)
    rnd = random.Random(seed)
    picked = sorted(rnd.sample(range(len(items)), n))
    return [items[i] for i in picked]


# --------------------------------------------------------------------------------------
# Hand-written pinyin for the Chinese family names and given-name characters we keep.
# Faker's zh_CN lists carry characters only (its romanized lists are not paired with them).

SURNAME_PINYIN = {
    "王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang", "黄": "Huang", "吴": "Wu",
    "赵": "Zhao", "周": "Zhou", "徐": "Xu", "孙": "Sun", "马": "Ma", "朱": "Zhu", "胡": "Hu", "林": "Lin",
    "郭": "Guo", "何": "He", "高": "Gao", "罗": "Luo", "郑": "Zheng", "梁": "Liang", "谢": "Xie", "宋": "Song",
    "唐": "Tang", "许": "Xu", "邓": "Deng", "冯": "Feng", "韩": "Han", "曹": "Cao", "曾": "Zeng", "彭": "Peng",
    "萧": "Xiao", "蔡": "Cai", "潘": "Pan", "田": "Tian", "董": "Dong", "袁": "Yuan", "于": "Yu", "余": "Yu",
    "叶": "Ye", "蒋": "Jiang", "杜": "Du", "苏": "Su", "魏": "Wei", "程": "Cheng", "吕": "Lyu", "丁": "Ding",
    "沈": "Shen", "任": "Ren", "姚": "Yao", "卢": "Lu", "傅": "Fu", "钟": "Zhong", "姜": "Jiang", "崔": "Cui",
    "谭": "Tan", "廖": "Liao", "范": "Fan", "汪": "Wang", "陆": "Lu", "金": "Jin", "石": "Shi", "戴": "Dai",
    "贾": "Jia", "韦": "Wei", "夏": "Xia", "邱": "Qiu", "方": "Fang", "侯": "Hou", "邹": "Zou", "熊": "Xiong",
    "孟": "Meng", "秦": "Qin", "白": "Bai", "江": "Jiang", "阎": "Yan", "薛": "Xue", "尹": "Yin", "段": "Duan",
    "雷": "Lei", "黎": "Li", "史": "Shi", "龙": "Long", "陶": "Tao", "贺": "He", "顾": "Gu", "毛": "Mao",
    "郝": "Hao", "龚": "Gong", "邵": "Shao", "万": "Wan", "钱": "Qian", "严": "Yan", "赖": "Lai", "覃": "Qin",
    "洪": "Hong", "武": "Wu", "莫": "Mo", "孔": "Kong", "汤": "Tang", "向": "Xiang", "常": "Chang", "温": "Wen",
    "康": "Kang", "施": "Shi", "文": "Wen", "牛": "Niu", "樊": "Fan", "葛": "Ge", "邢": "Xing", "安": "An",
    "齐": "Qi", "易": "Yi", "乔": "Qiao", "伍": "Wu", "庞": "Pang", "颜": "Yan", "倪": "Ni", "庄": "Zhuang",
    "聂": "Nie", "章": "Zhang", "鲁": "Lu", "岳": "Yue", "翟": "Zhai", "殷": "Yin", "詹": "Zhan", "申": "Shen",
    "欧": "Ou", "耿": "Geng", "关": "Guan", "兰": "Lan", "焦": "Jiao", "俞": "Yu", "左": "Zuo", "柳": "Liu",
    "甘": "Gan", "祝": "Zhu", "包": "Bao", "宁": "Ning", "尚": "Shang", "符": "Fu", "舒": "Shu", "阮": "Ruan",
    "柯": "Ke", "纪": "Ji", "梅": "Mei", "童": "Tong", "凌": "Ling", "毕": "Bi", "单": "Shan", "季": "Ji",
    "裴": "Pei", "霍": "Huo", "涂": "Tu", "成": "Cheng", "苗": "Miao", "谷": "Gu", "盛": "Sheng", "曲": "Qu",
    "翁": "Weng", "冉": "Ran", "骆": "Luo", "蓝": "Lan", "路": "Lu", "游": "You", "辛": "Xin", "靳": "Jin",
    "欧阳": "Ouyang", "管": "Guan", "柴": "Chai", "蒙": "Meng", "鲍": "Bao", "华": "Hua", "喻": "Yu", "祁": "Qi",
    "蒲": "Pu", "房": "Fang", "滕": "Teng", "屈": "Qu", "饶": "Rao", "解": "Xie", "牟": "Mou", "艾": "Ai",
    "尤": "You", "阳": "Yang", "时": "Shi", "穆": "Mu",
}

GIVEN_CHAR_PINYIN = {
    "伟": "wei", "强": "qiang", "磊": "lei", "洋": "yang", "勇": "yong", "军": "jun", "杰": "jie", "涛": "tao",
    "超": "chao", "明": "ming", "刚": "gang", "平": "ping", "辉": "hui", "鹏": "peng", "华": "hua", "飞": "fei",
    "鑫": "xin", "波": "bo", "斌": "bin", "宇": "yu", "浩": "hao", "凯": "kai", "健": "jian", "俊": "jun",
    "帆": "fan", "帅": "shuai", "旭": "xu", "宁": "ning", "龙": "long", "林": "lin", "欢": "huan", "佳": "jia",
    "阳": "yang", "建": "jian", "亮": "liang", "成": "cheng", "峰": "feng", "国": "guo", "晨": "chen", "瑞": "rui",
    "志": "zhi", "兵": "bing", "雷": "lei", "东": "dong", "博": "bo", "彬": "bin", "坤": "kun", "岩": "yan",
    "杨": "yang", "文": "wen", "利": "li", "楠": "nan", "红": "hong", "霞": "xia", "芳": "fang", "娜": "na",
    "敏": "min", "静": "jing", "秀": "xiu", "英": "ying", "丽": "li", "艳": "yan", "娟": "juan", "兰": "lan",
    "燕": "yan", "玲": "ling", "桂": "gui", "丹": "dan", "萍": "ping", "玉": "yu", "梅": "mei", "莉": "li",
    "珍": "zhen", "婷": "ting", "凤": "feng", "晶": "jing", "颖": "ying", "雪": "xue", "慧": "hui", "倩": "qian",
    "琴": "qin", "畅": "chang", "云": "yun", "洁": "jie", "柳": "liu", "淑": "shu", "春": "chun", "海": "hai",
    "冬": "dong", "荣": "rong", "莹": "ying", "琳": "lin", "欣": "xin", "香": "xiang", "芝": "zhi", "小": "xiao",
    "金": "jin", "瑜": "yu", "花": "hua", "璐": "lu",
    # characters of the hand-added modern given names below
    "子": "zi", "涵": "han", "然": "ran", "轩": "xuan", "怡": "yi", "思": "si", "远": "yuan", "雨": "yu",
    "桐": "tong", "晓": "xiao", "嘉": "jia", "梓": "zi", "萱": "xuan", "一": "yi", "鸣": "ming", "天": "tian",
    "琪": "qi", "豪": "hao", "诗": "shi", "立": "li", "新": "xin", "永": "yong", "振": "zhen", "少": "shao",
    "雅": "ya", "家": "jia", "墨": "mo", "若": "ruo", "曦": "xi", "梦": "meng", "瑶": "yao", "昊": "hao",
    "睿": "rui", "泽": "ze", "俊": "jun", "诚": "cheng", "晖": "hui", "蕾": "lei", "璇": "xuan",
}

# Two-character given names common among people now of working age; Faker's list is
# mostly one-character names of an older generation.
MODERN_ZH_GIVEN = [
    "子涵", "浩然", "宇轩", "欣怡", "思远", "雨桐", "俊杰", "晓明", "晓燕", "志伟", "文博", "嘉怡", "梓萱",
    "一鸣", "天宇", "佳琪", "明轩", "子豪", "诗涵", "思雨", "晓东", "海涛", "建伟", "晓丽", "立新", "永强",
    "振华", "少华", "雅婷", "家豪", "博文", "雨萱", "子墨", "若曦", "梦瑶", "昊天", "睿泽", "志诚", "晓晖",
    "佳蕾", "思璇", "晨曦", "静怡", "嘉欣", "宇航", "俊豪",
]
GIVEN_CHAR_PINYIN["航"] = "hang"


def pinyin_given(name):
    parts = [GIVEN_CHAR_PINYIN.get(ch) for ch in name]
    if any(p is None for p in parts):
        return None
    word = "".join(parts)
    return word[:1].upper() + word[1:]


def zh_names():
    p = person("zh_CN")
    fam = []
    for name, w in weighted_items(p.last_names):
        if name in SURNAME_PINYIN:
            fam.append((name, SURNAME_PINYIN[name], w))
    # Faker's table has two typos in its frequencies (于 0.0074, 鞠 0.23); 于 is among
    # the 40 most common surnames, 鞠 is rare.
    fam = [(n, l, 0.5 if n == "于" else w) for n, l, w in fam]
    missing = sorted(set(SURNAME_PINYIN) - {n for n, _, _ in fam})
    if missing:
        print("zh_CN: pinyin table has surnames Faker lacks:", "".join(missing), file=sys.stderr)
    # Faker's romanized surnames should all be among ours (a check on the hand table).
    ours = {l for _, l, _ in fam}
    stray = [r for r in p.last_romanized_names if r not in ours]
    if stray:
        print("zh_CN: Faker romanized surnames not in our table:", stray, file=sys.stderr)
    given = []
    dropped = []
    for name in list(p.first_names) + MODERN_ZH_GIVEN:
        if name == "想":  # a Faker oddity, not a given name
            continue
        latin = pinyin_given(name)
        if latin is None:
            dropped.append(name)
            continue
        # Two-character names are the common case among today's working population.
        given.append((name, latin, 2.0 if len(name) == 2 else 1.0))
    if dropped:
        print("zh_CN: given names dropped for want of pinyin:", dropped, file=sys.stderr)
    seen = set()
    given = [g for g in given if not (g[0] in seen or seen.add(g[0]))]
    return fam, given


def ja_names():
    p = person("ja_JP")
    fam = [(kanji, roman, 1.0) for kanji, _kana, roman in p.last_name_pairs]
    given = [(kanji, roman, 1.0) for kanji, _kana, roman in p.first_name_pairs]
    return fam, given


def latin_names(locale, given_n=GIVEN_NAMES_PER_CULTURE, family_n=FAMILY_NAMES_PER_CULTURE):
    p = person(locale)
    first = weighted_items(p.first_names_female) + weighted_items(p.first_names_male) \
        if hasattr(p, "first_names_female") else weighted_items(p.first_names)
    last = weighted_items(p.last_names)
    if all(w == 1.0 for _, w in first):
        first = spread(sorted(set(n for n, _ in first)), given_n, FAKER_SEED)
        first = [(n, 1.0) for n in first]
    else:
        first = top_unique(first, given_n)
    if all(w == 1.0 for _, w in last):
        last = [(n, 1.0) for n in spread(sorted(set(n for n, _ in last)), family_n, FAKER_SEED + 1)]
    else:
        last = top_unique(last, family_n)
    fam = [(n, ascii_fold(n), w) for n, w in last]
    given = [(n, ascii_fold(n), w) for n, w in first]
    return fam, given


def companies(locale, n=COMPANIES_PER_CULTURE):
    fake = Faker(locale)
    fake.seed_instance(FAKER_SEED)
    out, seen = [], set()
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        name = fake.company().strip()
        if locale == "zh_CN" and name.count("公司") > 1:  # Faker prefixes such as 菊风公司 + 传媒有限公司
            continue
        if name in seen:
            continue
        seen.add(name)
        out.append(name)
    return out


# --------------------------------------------------------------------------------------
# Cities (largest first: the Swift side weights them by rank). English name for the
# location line, local spelling for school and hospital names.

ZH_CITIES = [  # Chinese spellings as in Faker's zh_CN city list; English by hand
    ("北京", "Beijing"), ("上海", "Shanghai"), ("深圳", "Shenzhen"), ("广州", "Guangzhou"), ("杭州", "Hangzhou"),
    ("成都", "Chengdu"), ("重庆", "Chongqing"), ("武汉", "Wuhan"), ("南京", "Nanjing"), ("西安", "Xi'an"),
    ("天津", "Tianjin"), ("长沙", "Changsha"), ("郑州", "Zhengzhou"), ("济南", "Jinan"), ("合肥", "Hefei"),
    ("福州", "Fuzhou"), ("东莞", "Dongguan"), ("佛山", "Foshan"), ("沈阳", "Shenyang"), ("昆明", "Kunming"),
    ("哈尔滨", "Harbin"), ("长春", "Changchun"), ("南昌", "Nanchang"), ("南宁", "Nanning"), ("贵阳", "Guiyang"),
    ("太原", "Taiyuan"), ("石家庄", "Shijiazhuang"), ("兰州", "Lanzhou"), ("乌鲁木齐", "Urumqi"), ("呼和浩特", "Hohhot"),
    ("海口", "Haikou"), ("惠州", "Huizhou"), ("柳州", "Liuzhou"), ("银川", "Yinchuan"), ("西宁", "Xining"),
    ("齐齐哈尔", "Qiqihar"), ("邯郸", "Handan"), ("马鞍山", "Ma'anshan"), ("淮安", "Huai'an"), ("潮州", "Chaozhou"),
]

US_CITIES = [
    "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio", "San Diego", "Dallas",
    "San Jose", "Austin", "Jacksonville", "Fort Worth", "Columbus", "Charlotte", "San Francisco", "Indianapolis",
    "Seattle", "Denver", "Washington", "Boston", "Nashville", "Detroit", "Portland", "Las Vegas", "Atlanta", "Miami",
    "Minneapolis", "Raleigh", "Pittsburgh", "Salt Lake City", "St. Louis", "Baltimore", "Milwaukee", "Sacramento",
    "Kansas City", "Cleveland", "Tampa", "Orlando", "Cincinnati",
]

DE_CITIES = [  # (local, English)
    ("Berlin", "Berlin"), ("Hamburg", "Hamburg"), ("München", "Munich"), ("Köln", "Cologne"),
    ("Frankfurt am Main", "Frankfurt"), ("Stuttgart", "Stuttgart"), ("Düsseldorf", "Düsseldorf"), ("Leipzig", "Leipzig"),
    ("Dortmund", "Dortmund"), ("Essen", "Essen"), ("Bremen", "Bremen"), ("Dresden", "Dresden"), ("Hannover", "Hanover"),
    ("Nürnberg", "Nuremberg"), ("Duisburg", "Duisburg"), ("Bochum", "Bochum"), ("Wuppertal", "Wuppertal"),
    ("Bielefeld", "Bielefeld"), ("Bonn", "Bonn"), ("Münster", "Münster"), ("Mannheim", "Mannheim"),
    ("Karlsruhe", "Karlsruhe"), ("Augsburg", "Augsburg"), ("Wiesbaden", "Wiesbaden"), ("Aachen", "Aachen"),
    ("Braunschweig", "Brunswick"), ("Kiel", "Kiel"), ("Chemnitz", "Chemnitz"), ("Magdeburg", "Magdeburg"),
    ("Freiburg im Breisgau", "Freiburg"), ("Mainz", "Mainz"), ("Lübeck", "Lübeck"), ("Erfurt", "Erfurt"),
    ("Rostock", "Rostock"), ("Kassel", "Kassel"), ("Potsdam", "Potsdam"), ("Heidelberg", "Heidelberg"),
    ("Regensburg", "Regensburg"), ("Darmstadt", "Darmstadt"), ("Würzburg", "Würzburg"),
]

ES_CITIES = [  # (local, English)
    ("Madrid", "Madrid"), ("Barcelona", "Barcelona"), ("Valencia", "Valencia"), ("Sevilla", "Seville"),
    ("Zaragoza", "Zaragoza"), ("Málaga", "Málaga"), ("Murcia", "Murcia"), ("Palma", "Palma"),
    ("Las Palmas de Gran Canaria", "Las Palmas de Gran Canaria"), ("Bilbao", "Bilbao"), ("Alicante", "Alicante"),
    ("Córdoba", "Córdoba"), ("Valladolid", "Valladolid"), ("Vigo", "Vigo"), ("Gijón", "Gijón"),
    ("A Coruña", "A Coruña"), ("Vitoria-Gasteiz", "Vitoria-Gasteiz"), ("Granada", "Granada"), ("Elche", "Elche"),
    ("Oviedo", "Oviedo"), ("Pamplona", "Pamplona"), ("Almería", "Almería"), ("San Sebastián", "San Sebastián"),
    ("Santander", "Santander"), ("Burgos", "Burgos"), ("Castellón de la Plana", "Castellón de la Plana"),
    ("Albacete", "Albacete"), ("Logroño", "Logroño"), ("Badajoz", "Badajoz"), ("Salamanca", "Salamanca"),
    ("Huelva", "Huelva"), ("Tarragona", "Tarragona"), ("León", "León"), ("Cádiz", "Cádiz"), ("Lleida", "Lleida"),
    ("Jaén", "Jaén"), ("Ourense", "Ourense"), ("Girona", "Girona"), ("Santiago de Compostela", "Santiago de Compostela"),
    ("Toledo", "Toledo"),
]

JA_CITIES = [  # (local, English)
    ("東京", "Tokyo"), ("横浜", "Yokohama"), ("大阪", "Osaka"), ("名古屋", "Nagoya"), ("札幌", "Sapporo"),
    ("福岡", "Fukuoka"), ("神戸", "Kobe"), ("川崎", "Kawasaki"), ("京都", "Kyoto"), ("さいたま", "Saitama"),
    ("広島", "Hiroshima"), ("仙台", "Sendai"), ("千葉", "Chiba"), ("北九州", "Kitakyushu"), ("堺", "Sakai"),
    ("新潟", "Niigata"), ("浜松", "Hamamatsu"), ("熊本", "Kumamoto"), ("相模原", "Sagamihara"), ("静岡", "Shizuoka"),
    ("岡山", "Okayama"), ("鹿児島", "Kagoshima"), ("船橋", "Funabashi"), ("八王子", "Hachioji"), ("金沢", "Kanazawa"),
    ("宇都宮", "Utsunomiya"), ("松山", "Matsuyama"), ("姫路", "Himeji"), ("長野", "Nagano"), ("岐阜", "Gifu"),
    ("富山", "Toyama"), ("高松", "Takamatsu"), ("奈良", "Nara"), ("那覇", "Naha"), ("大分", "Oita"),
    ("長崎", "Nagasaki"), ("豊田", "Toyota"), ("和歌山", "Wakayama"), ("高知", "Kochi"), ("秋田", "Akita"),
]


def in_cities():
    cities = list(importlib.import_module("faker.providers.address.en_IN").Provider.cities)
    top = cities[:38]
    for extra in ("Gurgaon", "Noida"):  # tech hubs further down Faker's (population-ordered) list
        if extra in cities and extra not in top:
            top.append(extra)
    return [(c, c) for c in top]


def check_in_faker(locale, attr, names):
    have = set(getattr(importlib.import_module(f"faker.providers.address.{locale}").Provider, attr))
    found = [n for n in names if n in have]
    return found


# --------------------------------------------------------------------------------------
# Institutions, built from the culture's cities. {c} = local city name.

# (pattern, focus): the focus lets careers match schools (physicians study at medical
# schools, engineers at technical ones).
UNIVERSITY_FORMS = {
    "zh_CN": [("{c}大学", "general"), ("{c}理工大学", "engineering"), ("{c}师范大学", "education"),
              ("{c}财经大学", "business"), ("{c}工业大学", "engineering"), ("{c}交通大学", "engineering"),
              ("{c}医科大学", "medicine"), ("{c}科技大学", "engineering")],
    "en_US": [("University of {c}", "general"), ("{c} State University", "general"),
              ("{c} Institute of Technology", "engineering"), ("{c} College", "general"), ("{c} University", "general"),
              ("{c} School of Business", "business"), ("{c} School of Medicine", "medicine")],
    "de_DE": [("Universität {c}", "general"), ("Technische Universität {c}", "engineering"), ("Hochschule {c}", "general"),
              ("Fachhochschule {c}", "engineering"), ("Medizinische Hochschule {c}", "medicine")],
    "hi_IN": [("University of {c}", "general"), ("{c} Institute of Technology", "engineering"),
              ("{c} College of Engineering", "engineering"), ("National Institute of Technology {c}", "engineering"),
              ("{c} Institute of Management", "business"), ("{c} Medical College", "medicine")],
    "es_ES": [("Universidad de {c}", "general"), ("Universidad Politécnica de {c}", "engineering"),
              ("Universidad Autónoma de {c}", "general"), ("Escuela de Negocios de {c}", "business")],
    "ja_JP": [("{c}大学", "general"), ("{c}工業大学", "engineering"), ("{c}外国語大学", "languages"),
              ("{c}医科大学", "medicine"), ("{c}経済大学", "business"), ("{c}教育大学", "education")],
}

HOSPITAL_FORMS = {
    "zh_CN": ["{c}市第一人民医院", "{c}中心医院", "{c}市中医院"],
    "en_US": ["{c} General Hospital", "{c} Medical Center", "St. Mary's Hospital {c}"],
    "de_DE": ["Klinikum {c}", "Universitätsklinikum {c}", "St. Marien-Krankenhaus {c}"],
    "hi_IN": ["{c} General Hospital", "{c} Multispeciality Hospital", "City Hospital {c}"],
    "es_ES": ["Hospital General de {c}", "Hospital Universitario de {c}", "Clínica San Rafael {c}"],
    "ja_JP": ["{c}市民病院", "{c}中央病院", "{c}赤十字病院"],
}

SECONDARY_SCHOOL_FORMS = {
    "zh_CN": ["{c}第一中学", "{c}实验中学", "{c}外国语学校"],
    "en_US": ["{c} High School", "{c} Central High School", "{c} Academy"],
    "de_DE": ["Goethe-Gymnasium {c}", "Gesamtschule {c}", "Schiller-Gymnasium {c}"],
    "hi_IN": ["{c} Public School", "Kendriya Vidyalaya {c}", "St. Xavier's School {c}"],
    "es_ES": ["IES {c}", "Colegio San José de {c}", "Instituto Cervantes de {c}"],
    "ja_JP": ["{c}第一高等学校", "{c}東高等学校", "{c}西高等学校"],
}


def institutions(code, cities, forms, n, seed):
    """About n names: big cities get several institutions of different forms, small ones
    one; each with the index of its city (cities are ordered largest first)."""
    rnd = random.Random(seed)
    out, seen = [], set()
    per_city = [max(1, round(len(forms) * 0.8 / (1 + ci / 4))) for ci in range(len(cities))]
    scale = n / max(1, sum(per_city))
    for ci, (local, _english) in enumerate(cities):
        k = min(len(forms), max(1, round(per_city[ci] * scale))) if scale < 1 else per_city[ci]
        for form in rnd.sample(forms, k):
            form, focus = form if isinstance(form, tuple) else (form, None)
            name = form.format(c=local)
            if name not in seen:
                seen.add(name)
                out.append({"name": name, "city": ci, **({"focus": focus} if focus else {})})
    return out[:n] if len(out) > n else out


# --------------------------------------------------------------------------------------
# Job families: title ladders (junior to senior), fitting skills and degree fields.
# employer: company (Faker companies), hospital, secondarySchool, university.

JOB_FAMILIES = [
    dict(name="Software Engineering", schoolFocus=["engineering", "general"], weight=14,
         titles=["Software Engineer", "Senior Software Engineer", "Staff Software Engineer", "Principal Engineer",
                 "Engineering Director"],
         skills=["Java", "Python", "Go", "Swift", "TypeScript", "C++", "Distributed Systems", "Microservices", "REST APIs",
                 "SQL", "Kubernetes", "AWS", "Git", "CI/CD", "System Design", "Linux", "React", "Code Review"],
         fields=["Computer Science", "Software Engineering", "Electrical Engineering", "Mathematics"],
         related=["Data Engineering", "DevOps & Site Reliability", "Product Management", "Quality Assurance",
                  "Information Security"]),
    dict(name="Data Science", schoolFocus=["engineering", "general"], weight=5,
         titles=["Data Analyst", "Data Scientist", "Senior Data Scientist", "Lead Data Scientist", "Head of Data Science"],
         skills=["Python", "R", "SQL", "Machine Learning", "Statistics", "pandas", "PyTorch", "TensorFlow", "A/B Testing",
                 "Data Visualization", "Tableau", "Apache Spark", "Deep Learning", "NLP", "Experimental Design"],
         fields=["Statistics", "Computer Science", "Mathematics", "Economics", "Physics"],
         related=["Data Engineering", "Software Engineering", "Product Management", "Academic Research"]),
    dict(name="Data Engineering", schoolFocus=["engineering", "general"], weight=3,
         titles=["Data Engineer", "Senior Data Engineer", "Staff Data Engineer", "Data Engineering Manager"],
         skills=["Apache Spark", "Kafka", "Airflow", "SQL", "Python", "Scala", "ETL", "Data Warehousing", "Snowflake",
                 "BigQuery", "Hadoop", "dbt", "Data Modeling"],
         fields=["Computer Science", "Information Systems", "Mathematics"],
         related=["Software Engineering", "Data Science"]),
    dict(name="DevOps & Site Reliability", schoolFocus=["engineering", "general"], weight=3,
         titles=["Systems Administrator", "DevOps Engineer", "Senior Site Reliability Engineer", "SRE Manager"],
         skills=["Kubernetes", "Docker", "Terraform", "AWS", "Linux", "Prometheus", "Ansible", "CI/CD", "Incident Management",
                 "Bash", "Go", "Networking", "Observability"],
         fields=["Computer Science", "Information Technology", "Electrical Engineering"],
         related=["Software Engineering", "Information Security"]),
    dict(name="Information Security", schoolFocus=["engineering", "general"], weight=2,
         titles=["Security Analyst", "Security Engineer", "Senior Security Engineer", "Security Architect",
                 "Chief Information Security Officer"],
         skills=["Threat Modeling", "Penetration Testing", "SIEM", "Incident Response", "Network Security", "Cryptography",
                 "ISO 27001", "Vulnerability Management", "Cloud Security", "Identity and Access Management", "Python",
                 "Security Audits"],
         fields=["Computer Science", "Information Security", "Mathematics"],
         related=["DevOps & Site Reliability", "Software Engineering"]),
    dict(name="Quality Assurance", schoolFocus=["engineering", "general"], weight=2,
         titles=["QA Tester", "QA Engineer", "Senior QA Engineer", "QA Lead", "QA Manager"],
         skills=["Test Automation", "Selenium", "Manual Testing", "Test Planning", "Regression Testing", "JIRA",
                 "API Testing", "Performance Testing", "Cypress", "Python", "Agile"],
         fields=["Computer Science", "Information Technology"],
         related=["Software Engineering", "Project Management"]),
    dict(name="Product Management", schoolFocus=["general", "business", "engineering"], weight=4,
         titles=["Associate Product Manager", "Product Manager", "Senior Product Manager", "Group Product Manager",
                 "VP of Product"],
         skills=["Product Strategy", "Roadmapping", "User Research", "Agile", "Scrum", "A/B Testing", "SQL",
                 "Stakeholder Management", "Product Analytics", "Go-to-Market Strategy", "Prioritization", "JIRA"],
         fields=["Business Administration", "Computer Science", "Economics", "Industrial Engineering"],
         related=["Design", "Marketing", "Project Management", "Consulting"]),
    dict(name="Design", schoolFocus=["general"], weight=3,
         titles=["Junior UX Designer", "UX Designer", "Senior Product Designer", "Design Lead", "Head of Design"],
         skills=["Figma", "User Research", "Prototyping", "Interaction Design", "Design Systems", "Usability Testing",
                 "Wireframing", "Visual Design", "Sketch", "Accessibility", "Information Architecture", "Adobe Creative Suite"],
         fields=["Graphic Design", "Human-Computer Interaction", "Industrial Design", "Fine Arts", "Psychology"],
         related=["Product Management", "Marketing"]),
    dict(name="Sales", schoolFocus=["general", "business"], weight=8,
         titles=["Sales Development Representative", "Account Executive", "Senior Account Executive", "Sales Manager",
                 "VP of Sales"],
         skills=["B2B Sales", "Salesforce", "Negotiation", "Lead Generation", "Account Management", "Cold Calling",
                 "CRM", "Pipeline Management", "Solution Selling", "Key Account Management", "Forecasting", "Closing"],
         fields=["Business Administration", "Marketing", "Economics", "Communications"],
         related=["Marketing", "Business Development", "Customer Success"]),
    dict(name="Business Development", schoolFocus=["business", "general"], weight=3,
         titles=["Business Development Associate", "Business Development Manager", "Senior Business Development Manager",
                 "Director of Business Development"],
         skills=["Partnerships", "Negotiation", "Market Research", "Strategic Planning", "Lead Generation",
                 "Contract Negotiation", "Business Strategy", "CRM", "Presentation Skills", "International Business"],
         fields=["Business Administration", "International Business", "Economics", "Marketing"],
         related=["Sales", "Consulting", "Marketing"]),
    dict(name="Marketing", schoolFocus=["general", "business"], weight=6,
         titles=["Marketing Coordinator", "Marketing Specialist", "Marketing Manager", "Senior Marketing Manager",
                 "Marketing Director"],
         skills=["Digital Marketing", "SEO", "Content Marketing", "Social Media Marketing", "Google Analytics",
                 "Brand Management", "Email Marketing", "Marketing Strategy", "Copywriting", "Market Research",
                 "Campaign Management", "HubSpot", "Public Relations"],
         fields=["Marketing", "Communications", "Business Administration", "Journalism"],
         related=["Sales", "Product Management", "Design", "Business Development"]),
    dict(name="Customer Success", schoolFocus=["general", "business", "languages"], weight=4,
         titles=["Customer Support Specialist", "Customer Success Manager", "Senior Customer Success Manager",
                 "Director of Customer Success"],
         skills=["Customer Service", "Zendesk", "Account Management", "Customer Retention", "Onboarding", "CRM",
                 "Salesforce", "Communication", "Problem Solving", "Renewals"],
         fields=["Business Administration", "Communications", "Psychology"],
         related=["Sales", "Operations", "Project Management"]),
    dict(name="Finance", schoolFocus=["business", "general"], weight=5,
         titles=["Financial Analyst", "Senior Financial Analyst", "Finance Manager", "Finance Director",
                 "Chief Financial Officer"],
         skills=["Financial Modeling", "Excel", "Budgeting", "Forecasting", "Financial Analysis", "Valuation",
                 "FP&A", "Corporate Finance", "SAP", "Variance Analysis", "Power BI", "Investment Analysis"],
         fields=["Finance", "Economics", "Accounting", "Mathematics"],
         related=["Accounting", "Consulting", "Operations"]),
    dict(name="Accounting", schoolFocus=["business", "general"], weight=4,
         titles=["Junior Accountant", "Staff Accountant", "Senior Accountant", "Accounting Manager", "Financial Controller"],
         skills=["Bookkeeping", "Financial Reporting", "IFRS", "GAAP", "Auditing", "Tax Accounting", "Excel", "SAP",
                 "Accounts Payable", "Reconciliation", "Month-End Close", "Internal Controls"],
         fields=["Accounting", "Finance", "Business Administration"],
         related=["Finance", "Consulting"]),
    dict(name="Human Resources", schoolFocus=["general", "business"], weight=3, recruiting=True,
         titles=["HR Assistant", "HR Generalist", "HR Business Partner", "HR Manager", "HR Director"],
         skills=["Employee Relations", "Talent Management", "Performance Management", "HR Policies", "Onboarding",
                 "Compensation and Benefits", "Labor Law", "HRIS", "Workday", "Organizational Development",
                 "Recruiting", "Training and Development"],
         fields=["Human Resources Management", "Psychology", "Business Administration", "Law"],
         related=["Recruiting & Talent Acquisition", "Operations"]),
    dict(name="Recruiting & Talent Acquisition", schoolFocus=["general", "business", "languages"], weight=3, recruiting=True,
         titles=["Recruiting Coordinator", "Recruiter", "Senior Recruiter", "Lead Technical Recruiter",
                 "Head of Talent Acquisition"],
         skills=["Technical Recruiting", "Sourcing", "Interviewing", "Boolean Search", "Applicant Tracking Systems",
                 "Employer Branding", "Talent Acquisition", "Candidate Experience", "Headhunting", "Negotiation",
                 "Greenhouse", "Workforce Planning"],
         fields=["Human Resources Management", "Psychology", "Business Administration", "Communications"],
         related=["Human Resources", "Sales"]),
    dict(name="Operations", schoolFocus=["general", "business", "engineering"], weight=5,
         titles=["Operations Associate", "Operations Analyst", "Operations Manager", "Senior Operations Manager",
                 "Director of Operations"],
         skills=["Process Improvement", "Lean", "Six Sigma", "Operations Management", "Excel", "KPI Reporting",
                 "Vendor Management", "Budgeting", "Project Management", "Data Analysis", "Team Leadership"],
         fields=["Business Administration", "Industrial Engineering", "Economics", "Logistics"],
         related=["Supply Chain & Logistics", "Project Management", "Finance"]),
    dict(name="Supply Chain & Logistics", schoolFocus=["engineering", "business", "general"], weight=3,
         titles=["Logistics Coordinator", "Supply Chain Analyst", "Supply Chain Manager", "Director of Supply Chain"],
         skills=["Supply Chain Management", "Logistics", "Procurement", "Inventory Management", "SAP", "Demand Planning",
                 "Warehouse Management", "Sourcing", "Negotiation", "ERP", "Transportation Management"],
         fields=["Logistics", "Industrial Engineering", "Business Administration"],
         related=["Operations", "Mechanical Engineering"]),
    dict(name="Project Management", schoolFocus=["general", "business", "engineering"], weight=4,
         titles=["Project Coordinator", "Project Manager", "Senior Project Manager", "Program Manager",
                 "Director of the Project Management Office"],
         skills=["Project Management", "PMP", "Agile", "Scrum", "Risk Management", "Stakeholder Management",
                 "MS Project", "Budgeting", "JIRA", "PRINCE2", "Change Management", "Resource Planning"],
         fields=["Business Administration", "Engineering Management", "Information Systems"],
         related=["Operations", "Product Management", "Consulting"]),
    dict(name="Consulting", schoolFocus=["business", "general", "engineering"], weight=3,
         titles=["Business Analyst", "Consultant", "Senior Consultant", "Engagement Manager", "Partner"],
         skills=["Management Consulting", "Strategy", "Business Analysis", "PowerPoint", "Excel", "Financial Modeling",
                 "Stakeholder Management", "Change Management", "Process Improvement", "Market Analysis",
                 "Problem Solving", "Due Diligence"],
         fields=["Business Administration", "Economics", "Finance", "Engineering Management"],
         related=["Finance", "Product Management", "Operations", "Business Development"]),
    dict(name="Legal", schoolFocus=["general"], weight=2,
         titles=["Junior Legal Counsel", "Legal Counsel", "Senior Legal Counsel", "Head of Legal", "General Counsel"],
         skills=["Contract Law", "Corporate Law", "Legal Research", "Compliance", "Litigation", "Data Protection",
                 "Intellectual Property", "Negotiation", "Employment Law", "Mergers and Acquisitions", "Legal Writing",
                 "Regulatory Affairs"],
         fields=["Law"],
         related=["Consulting", "Human Resources"]),
    dict(name="Nursing", schoolFocus=["medicine", "general"], weight=3, employer="hospital",
         titles=["Registered Nurse", "Senior Staff Nurse", "Charge Nurse", "Nurse Manager", "Director of Nursing"],
         skills=["Patient Care", "Clinical Assessment", "Medication Administration", "Basic Life Support",
                 "Electronic Health Records", "Critical Care", "Infection Control", "Patient Education", "Triage",
                 "Wound Care", "Team Leadership"],
         fields=["Nursing"],
         related=[]),
    dict(name="Medicine", schoolFocus=["medicine"], weight=1, employer="hospital", degrees=["MD"],
         titles=["Resident Physician", "Attending Physician", "Senior Physician", "Chief Physician"],
         skills=["Clinical Diagnosis", "Patient Care", "Internal Medicine", "Clinical Research", "Medical Education",
                 "Electronic Health Records", "Emergency Medicine", "Evidence-Based Medicine", "Surgery", "Pediatrics"],
         fields=["Medicine"],
         related=[]),
    dict(name="Teaching", schoolFocus=["education", "general", "languages"], weight=4, employer="secondarySchool",
         titles=["Teacher", "Senior Teacher", "Head of Department", "Deputy Head Teacher", "Principal"],
         skills=["Curriculum Development", "Classroom Management", "Lesson Planning", "Differentiated Instruction",
                 "Educational Technology", "Student Assessment", "Mentoring", "Special Education", "Public Speaking",
                 "Parent Communication"],
         fields=["Education", "Mathematics", "English Literature", "History", "Biology", "Physics", "Chemistry"],
         related=[]),
    dict(name="Academic Research", schoolFocus=["general", "engineering"], weight=1, employer="university", degrees=["PhD"],
         titles=["Research Assistant", "Postdoctoral Researcher", "Assistant Professor", "Associate Professor",
                 "Professor"],
         skills=["Research", "Academic Writing", "Grant Writing", "Teaching", "Statistics", "Data Analysis",
                 "Peer Review", "Python", "MATLAB", "Laboratory Skills", "Scientific Computing"],
         fields=["Physics", "Chemistry", "Biology", "Computer Science", "Economics", "Mathematics", "Materials Science"],
         related=["Data Science"]),
    dict(name="Mechanical Engineering", schoolFocus=["engineering"], weight=4,
         titles=["Mechanical Engineer", "Senior Mechanical Engineer", "Lead Mechanical Engineer", "Engineering Manager",
                 "Director of Engineering"],
         skills=["SolidWorks", "AutoCAD", "CAD", "Finite Element Analysis", "GD&T", "Thermodynamics",
                 "Product Development", "Manufacturing Processes", "ANSYS", "Six Sigma", "Prototyping", "MATLAB"],
         fields=["Mechanical Engineering", "Aerospace Engineering", "Mechatronics"],
         related=["Electrical Engineering", "Project Management", "Supply Chain & Logistics"]),
    dict(name="Electrical Engineering", schoolFocus=["engineering"], weight=3,
         titles=["Electrical Engineer", "Senior Electrical Engineer", "Principal Hardware Engineer",
                 "Hardware Engineering Manager"],
         skills=["Circuit Design", "PCB Design", "Embedded Systems", "FPGA", "Altium Designer", "Power Electronics",
                 "MATLAB", "Signal Processing", "C", "Verilog", "Testing", "Oscilloscopes"],
         fields=["Electrical Engineering", "Electronics", "Physics"],
         related=["Mechanical Engineering", "Software Engineering"]),
    dict(name="Civil Engineering", schoolFocus=["engineering"], weight=3,
         titles=["Graduate Civil Engineer", "Civil Engineer", "Senior Civil Engineer", "Principal Civil Engineer",
                 "Construction Director"],
         skills=["AutoCAD", "Civil 3D", "Structural Analysis", "Construction Management", "Revit", "Project Estimation",
                 "Site Supervision", "Geotechnical Engineering", "BIM", "Surveying", "Health and Safety"],
         fields=["Civil Engineering", "Structural Engineering", "Architecture"],
         related=["Project Management", "Mechanical Engineering"]),
]

DEGREES = [
    dict(name="Bachelor's degree", weight=58, years=4),
    dict(name="Master's degree", weight=26, years=2),
    dict(name="MBA", weight=7, years=2, field="Business Administration"),
    dict(name="PhD", weight=5, years=5),
    dict(name="MD", weight=0, years=6, field="Medicine"),
]

# Skills anyone may list, beside those of their job families.
GENERAL_SKILLS = ["Leadership", "Communication", "Teamwork", "Problem Solving", "Microsoft Office", "Public Speaking",
                  "Mentoring", "Time Management", "Cross-functional Collaboration", "Presentation Skills"]
# Listed by senior people (the two top rungs of a ladder).
LEADERSHIP_SKILLS = ["Team Leadership", "People Management", "Strategic Planning", "Hiring", "Budget Management"]

LANGUAGES = {
    "zh_CN": ["Mandarin", "English", "Cantonese"],
    "en_US": ["English", "Spanish"],
    "de_DE": ["German", "English", "French"],
    "hi_IN": ["Hindi", "English", "Tamil", "Marathi", "Bengali"],
    "es_ES": ["Spanish", "English", "Catalan"],
    "ja_JP": ["Japanese", "English"],
}

MAIL_HOSTS = {
    "zh_CN": ["qq.com", "163.com", "126.com", "foxmail.com", "sina.com", "outlook.com", "gmail.com"],
    "en_US": ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"],
    "de_DE": None,  # Faker's de_DE free mail hosts
    "hi_IN": ["gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.com"],
    "es_ES": ["gmail.com", "hotmail.es", "yahoo.es", "outlook.es", "telefonica.net"],
    "ja_JP": ["gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp", "ezweb.ne.jp", "outlook.jp"],
}

# template: the national number; the seeder writes 7 digits (a permutation of the member index)
# into the X places. Each fits the country rules in RampartCore/PhoneNumber.swift.
CULTURES = [
    dict(code="zh_CN", weight=30, country="China", phone=dict(countryCode="86", template="1380XXXXXXX"),
         nameOrder="familyFirst", nameSeparator="", secondFamilyNameShare=0.0, familyNameJoiner=" "),
    dict(code="en_US", weight=28, country="United States", phone=dict(countryCode="1", template="55X2XXXXXX"),
         nameOrder="givenFirst", nameSeparator=" ", secondFamilyNameShare=0.0, familyNameJoiner=" "),
    dict(code="de_DE", weight=10, country="Germany", phone=dict(countryCode="49", template="1512XXXXXXX"),
         nameOrder="givenFirst", nameSeparator=" ", secondFamilyNameShare=0.05, familyNameJoiner="-"),
    dict(code="hi_IN", weight=16, country="India", phone=dict(countryCode="91", template="981XXXXXXX"),
         nameOrder="givenFirst", nameSeparator=" ", secondFamilyNameShare=0.0, familyNameJoiner=" "),
    dict(code="es_ES", weight=8, country="Spain", phone=dict(countryCode="34", template="61XXXXXXX"),
         nameOrder="givenFirst", nameSeparator=" ", secondFamilyNameShare=0.75, familyNameJoiner=" "),
    dict(code="ja_JP", weight=8, country="Japan", phone=dict(countryCode="81", template="901XXXXXXX"),
         nameOrder="familyFirst", nameSeparator=" ", secondFamilyNameShare=0.0, familyNameJoiner=" "),
]


def city_entries(pairs):
    return [{"name": en, **({"local": local} if local != en else {})} for local, en in pairs]


def main():
    cultures = []
    for spec in CULTURES:
        code = spec["code"]
        if code == "zh_CN":
            fam, given = zh_names()
            cities = ZH_CITIES
            faker_has = check_in_faker("zh_CN", "cities", [c for c, _ in cities])
            if len(faker_has) != len(cities):
                print("zh_CN cities not in Faker:", [c for c, _ in cities if c not in faker_has], file=sys.stderr)
        elif code == "ja_JP":
            fam, given = ja_names()
            cities = JA_CITIES
        elif code == "hi_IN":
            # Indian professionals write their names in Latin script; Faker's en_IN lists.
            fam, given = latin_names("en_IN")
            cities = in_cities()
        elif code == "en_US":
            fam, given = latin_names("en_US")
            cities = [(c, c) for c in US_CITIES]
        elif code == "de_DE":
            fam, given = latin_names("de_DE")
            cities = DE_CITIES
            faker_has = check_in_faker("de_DE", "cities", [c for c, _ in cities])
            print(f"de_DE: {len(faker_has)} of {len(cities)} cities are in Faker's list", file=sys.stderr)
        elif code == "es_ES":
            fam, given = latin_names("es_ES")
            cities = ES_CITIES
        else:
            raise SystemExit(f"unknown culture {code}")
        hosts = MAIL_HOSTS[code]
        if hosts is None:
            hosts = list(importlib.import_module(f"faker.providers.internet.{code}").Provider.free_email_domains)
            hosts.append("t-online.de")
        company_locale = "en_IN" if code == "hi_IN" else code
        culture = dict(spec)
        culture["familyNames"] = entries(fam)
        culture["givenNames"] = entries(given)
        culture["cities"] = city_entries(cities)
        culture["companies"] = companies(company_locale)
        culture["universities"] = institutions(code, cities, UNIVERSITY_FORMS[code], 60, FAKER_SEED + 11)
        culture["hospitals"] = institutions(code, cities, HOSPITAL_FORMS[code], 20, FAKER_SEED + 12)
        culture["secondarySchools"] = institutions(code, cities, SECONDARY_SCHOOL_FORMS[code], 20, FAKER_SEED + 13)
        culture["mailHosts"] = hosts
        culture["languages"] = LANGUAGES[code]
        cultures.append(culture)
        print(f"{code}: {len(fam)} family names, {len(given)} given names, {len(culture['companies'])} companies, "
              f"{len(cities)} cities, {len(culture['universities'])} universities", file=sys.stderr)

    names = {f["name"] for f in JOB_FAMILIES}
    for f in JOB_FAMILIES:
        assert 3 <= len(f["titles"]) <= 5, f["name"]
        assert 10 <= len(f["skills"]) <= 20, (f["name"], len(f["skills"]))
        for r in f["related"]:
            assert r in names, (f["name"], r)
        f.setdefault("employer", "company")
        assert f.get("schoolFocus"), f["name"]
        f.setdefault("recruiting", False)
    doc = {
        "generator": "tools/export_world_lists.py",
        "faker": faker.VERSION,
        "cultures": cultures,
        "jobFamilies": JOB_FAMILIES,
        "degrees": DEGREES,
        "generalSkills": GENERAL_SKILLS,
        "leadershipSkills": LEADERSHIP_SKILLS,
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    with open(OUT_JSON, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(f"wrote {OUT_JSON}: {len(text.encode('utf-8'))} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
