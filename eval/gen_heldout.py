#!/usr/bin/env python3
"""Independent held-out benchmark generator for Anshu.

Writes OUT/tables/*, OUT/docs/* and OUT/truth.json in the same format as
shared/samples (see README.md beside this file).  Deterministic for a --seed.

Value generators are written from the formats in shared/spec/types.md and do not
share code with the scanner or with the sample generator.  Faker (zh_CN), when
installed, is used as a second, independent generator for some columns and doc
fields; every Faker value is validated before it is used.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import string
import sys
import uuid
import gzip
import zipfile
from xml.sax.saxutils import escape as xml_escape
from datetime import date, datetime, timedelta

try:
    from faker import Faker  # optional "other generator"
except Exception:  # pragma: no cover
    Faker = None

# --------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------
# (code, province, prefecture, county) — real GB/T 2260 codes
REGIONS = [
    ("110101", "北京市", "", "东城区"), ("110102", "北京市", "", "西城区"),
    ("110105", "北京市", "", "朝阳区"), ("110106", "北京市", "", "丰台区"),
    ("110108", "北京市", "", "海淀区"), ("110114", "北京市", "", "昌平区"),
    ("120101", "天津市", "", "和平区"), ("120104", "天津市", "", "南开区"),
    ("120116", "天津市", "", "滨海新区"),
    ("130102", "河北省", "石家庄市", "长安区"), ("130104", "河北省", "石家庄市", "桥西区"),
    ("130203", "河北省", "唐山市", "路北区"), ("130229", "河北省", "唐山市", "玉田县"),
    ("140105", "山西省", "太原市", "小店区"), ("140106", "山西省", "太原市", "迎泽区"),
    ("150102", "内蒙古自治区", "呼和浩特市", "新城区"), ("150203", "内蒙古自治区", "包头市", "昆都仑区"),
    ("152502", "内蒙古自治区", "锡林郭勒盟", "锡林浩特市"),
    ("210102", "辽宁省", "沈阳市", "和平区"), ("210202", "辽宁省", "大连市", "中山区"),
    ("220102", "吉林省", "长春市", "南关区"),
    ("230102", "黑龙江省", "哈尔滨市", "道里区"), ("230103", "黑龙江省", "哈尔滨市", "南岗区"),
    ("310101", "上海市", "", "黄浦区"), ("310104", "上海市", "", "徐汇区"),
    ("310105", "上海市", "", "长宁区"), ("310112", "上海市", "", "闵行区"),
    ("310115", "上海市", "", "浦东新区"),
    ("320102", "江苏省", "南京市", "玄武区"), ("320106", "江苏省", "南京市", "鼓楼区"),
    ("320211", "江苏省", "无锡市", "滨湖区"), ("320506", "江苏省", "苏州市", "吴中区"),
    ("320582", "江苏省", "苏州市", "张家港市"),
    ("330102", "浙江省", "杭州市", "上城区"), ("330106", "浙江省", "杭州市", "西湖区"),
    ("330108", "浙江省", "杭州市", "滨江区"), ("330203", "浙江省", "宁波市", "海曙区"),
    ("330782", "浙江省", "金华市", "义乌市"),
    ("340102", "安徽省", "合肥市", "瑶海区"), ("340104", "安徽省", "合肥市", "蜀山区"),
    ("350102", "福建省", "福州市", "鼓楼区"), ("350203", "福建省", "厦门市", "思明区"),
    ("350581", "福建省", "泉州市", "石狮市"),
    ("360102", "江西省", "南昌市", "东湖区"), ("360781", "江西省", "赣州市", "瑞金市"),
    ("370102", "山东省", "济南市", "历下区"), ("370202", "山东省", "青岛市", "市南区"),
    ("370212", "山东省", "青岛市", "崂山区"), ("371402", "山东省", "德州市", "德城区"),
    ("410102", "河南省", "郑州市", "中原区"), ("410105", "河南省", "郑州市", "金水区"),
    ("411081", "河南省", "许昌市", "禹州市"),
    ("420102", "湖北省", "武汉市", "江岸区"), ("420106", "湖北省", "武汉市", "武昌区"),
    ("420111", "湖北省", "武汉市", "洪山区"), ("421002", "湖北省", "荆州市", "沙市区"),
    ("430102", "湖南省", "长沙市", "芙蓉区"), ("430104", "湖南省", "长沙市", "岳麓区"),
    ("431222", "湖南省", "怀化市", "沅陵县"),
    ("440103", "广东省", "广州市", "荔湾区"), ("440104", "广东省", "广州市", "越秀区"),
    ("440106", "广东省", "广州市", "天河区"), ("440304", "广东省", "深圳市", "福田区"),
    ("440305", "广东省", "深圳市", "南山区"), ("440306", "广东省", "深圳市", "宝安区"),
    ("440604", "广东省", "佛山市", "禅城区"),
    ("450102", "广西壮族自治区", "南宁市", "兴宁区"), ("450103", "广西壮族自治区", "南宁市", "青秀区"),
    ("460105", "海南省", "海口市", "秀英区"), ("460202", "海南省", "三亚市", "海棠区"),
    ("500103", "重庆市", "", "渝中区"), ("500112", "重庆市", "", "渝北区"),
    ("510104", "四川省", "成都市", "锦江区"), ("510107", "四川省", "成都市", "武侯区"),
    ("513401", "四川省", "凉山彝族自治州", "西昌市"),
    ("520102", "贵州省", "贵阳市", "南明区"), ("522631", "贵州省", "黔东南苗族侗族自治州", "黎平县"),
    ("530102", "云南省", "昆明市", "五华区"), ("532801", "云南省", "西双版纳傣族自治州", "景洪市"),
    ("540102", "西藏自治区", "拉萨市", "城关区"),
    ("610103", "陕西省", "西安市", "碑林区"), ("610113", "陕西省", "西安市", "雁塔区"),
    ("620102", "甘肃省", "兰州市", "城关区"), ("622901", "甘肃省", "临夏回族自治州", "临夏市"),
    ("630102", "青海省", "西宁市", "城东区"),
    ("640104", "宁夏回族自治区", "银川市", "兴庆区"),
    ("650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区"), ("650104", "新疆维吾尔自治区", "乌鲁木齐市", "新市区"),
    ("653101", "新疆维吾尔自治区", "喀什地区", "喀什市"),
]
# abolished but still valid in resident IDs
ABOLISHED = ["110103", "110104", "310103", "310108", "320103", "330103", "330104", "440107"]

STREETS = ["中山路", "人民路", "解放路", "建设路", "和平路", "长江路", "黄河路", "新华路", "文化路", "学府路",
           "东风路", "朝阳北路", "建国门外大街", "中关村大街", "南京西路", "淮海中路", "天河路", "深南大道",
           "科技园南路", "文一西路", "学院路", "滨江大道", "迎宾大道", "工业大道", "青年路", "胜利街", "光华路",
           "花园路", "金水路", "北京东路", "五一路", "环城南路", "劳动路", "红旗街", "友谊大街", "育才路"]
ESTATES = ["阳光花园", "万科城", "碧桂园", "翠苑一区", "幸福里", "金色家园", "锦绣华庭", "紫荆苑", "东方明珠小区",
           "御景湾", "书香门第", "滨江花园", "龙湖春江郦城", "保利香槟国际", "世纪新城"]
TOWNS = [("官庄镇", "黄土坡村"), ("城关镇", "东门村"), ("马坡镇", "石桥村"), ("新店镇", "李家庄村"), ("龙泉镇", "柏树村")]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "尉迟", "公孙", "夏侯", "长孙", "宇文", "司徒", "端木"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学"
             "祥才发武新利清飞彬富顺信子浩杰宇轩然博文睿思雨欣怡梓涵佳琪晨曦子墨一诺可馨梦瑶嘉懿雅婷晓东春梅秋菊冬雪"
             "俊峰鹏宏伟佳豪昊天铭泽语彤若曦瑾萱诗琪")
PINYIN_SUR = {"王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang", "黄": "Huang", "赵": "Zhao",
              "吴": "Wu", "周": "Zhou", "徐": "Xu", "孙": "Sun", "马": "Ma", "朱": "Zhu", "胡": "Hu", "郭": "Guo", "欧阳": "Ouyang",
              "司马": "Sima", "诸葛": "Zhuge", "林": "Lin", "郑": "Zheng", "谢": "Xie", "宋": "Song", "唐": "Tang"}
PINYIN_GIVEN = ["Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie", "Juan", "Tao",
                "Ming", "Chao", "Xiuying", "Xia", "Ping", "Gang", "Guiying", "Haoran", "Zihan", "Yuxuan", "Xinyi", "Jiahao",
                "Siyu", "Mengyao", "Junjie", "Xiaoming", "Yiting", "Zhiqiang", "Wenjing"]
ETHNIC = ["汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族",
          "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族",
          "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
          "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
          "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"]
PROV_ABBR = list("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
PLATE_LETTERS = [c for c in string.ascii_uppercase if c not in "IO"]
CO_REGION = ["北京", "上海", "深圳市", "广州", "杭州", "成都", "武汉市", "南京", "苏州", "西安", "重庆", "天津市", "厦门", "青岛", "长沙"]
CO_WORD = ["腾云", "华信", "恒通", "金桥", "瑞丰", "鼎盛", "远景", "星河", "创新", "博远", "中科", "宏达", "智联", "天禾", "嘉禾",
           "绿源", "海纳", "九州", "晨光", "同创", "汇通", "万象", "云帆", "青松"]
CO_IND = ["科技", "信息技术", "网络科技", "贸易", "物流", "餐饮管理", "建筑工程", "医药", "电子商务", "文化传媒", "新能源", "机械制造",
          "生物科技", "教育咨询", "供应链管理", "房地产开发"]
CO_SUFFIX = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "sohu.com", "gmail.com", "outlook.com", "hotmail.com",
                 "foxmail.com", "aliyun.com", "139.com", "yeah.net", "corp-example.com.cn", "mail.tsinghua.edu.cn",
                 "example.org", "hr.example.cn"]
AREA3 = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"]
AREA4 = ["0755", "0571", "0512", "0731", "0791", "0851", "0871", "0898", "0311", "0531", "0532", "0591", "0592", "0371",
         "0451", "0431", "0471", "0951", "0991", "0551"]
BINS_UP = [("622202", 19), ("622208", 19), ("621226", 19), ("621700", 19), ("622700", 16), ("621661", 19), ("622848", 19),
           ("621483", 16), ("622588", 16), ("622260", 19), ("622262", 19), ("623058", 19), ("622155", 16), ("622689", 16),
           ("622908", 18), ("621098", 19), ("622150", 19), ("625965", 16), ("628288", 16)]
BINS_INTL = [("438088", 16), ("427020", 16), ("456351", 16), ("404117", 16), ("489592", 16), ("524090", 16), ("512315", 16),
             ("552599", 16), ("518905", 16), ("532458", 16), ("356833", 16), ("377677", 15), ("370285", 15)]
VIN_WMI = ["LSV", "LFV", "LVS", "LGB", "LHG", "LBV", "LSG", "LDC", "LGW", "LNB", "WBA", "WDD", "JTD", "1HG", "5YJ", "KMH",
           "WVW", "LVG", "LFP"]
PRODUCTS = ["无线蓝牙耳机", "不锈钢保温杯", "纯棉T恤", "空气净化器", "运动跑鞋", "有机绿茶礼盒", "笔记本支架", "家用电饭煲",
            "儿童绘本套装", "智能手环", "机械键盘", "羽绒服", "电动牙刷", "咖啡豆 500g"]
# short goods / category words; about half start with a character that is also a common surname
CATEGORY = ["黄金", "白银", "白酒", "毛巾", "马甲", "龙井", "杨梅", "石榴", "花生油", "金桔", "毛衣", "汤圆", "高粱酒", "钱包",
            "水果", "蔬菜", "茶叶", "大米", "电脑", "手机壳", "饮料", "零食", "文具", "玩具", "家电", "鞋靴", "箱包", "冲锋衣"]
FRUIT = ["黄桃", "白桃", "杨梅", "石榴", "金桔", "李子", "龙眼", "柿子", "桑葚", "毛桃", "杨桃", "甘蔗", "冬枣", "苹果", "香蕉",
         "龙井", "白茶", "毛尖", "黄山毛峰"]
STATUS = ["已支付", "待发货", "已发货", "已完成", "退款中", "已取消"]
BENIGN = ["请开具发票", "客户要求周末配送", "包装破损已补发", "已电话确认", "无", "加急", "货到付款", "老客户，优先处理",
          "赠品已放入", "需要纸质合同", "请勿放快递柜"]

# --------------------------------------------------------------------------
# checksums and validators
# --------------------------------------------------------------------------
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
VIN_T = {**{str(i): i for i in range(10)},
         **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
         **dict(zip("STUVWXYZ", range(2, 10)))}
VIN_W = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
REGION_CODES = {r[0] for r in REGIONS} | set(ABOLISHED)


def id_check(body17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, ID_W)) % 11]


def valid_date(s):
    try:
        d = datetime.strptime(s, "%Y%m%d").date()
    except ValueError:
        return False
    return date(1900, 1, 1) <= d <= date.today()


def valid_rid(s):
    s = s.upper()
    if re.fullmatch(r"\d{17}[\dX]", s):
        return valid_date(s[6:14]) and id_check(s[:17]) == s[17]
    if re.fullmatch(r"\d{15}", s):
        return valid_date("19" + s[6:12])
    return False


def luhn_digit(body):
    tot = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return str((10 - tot % 10) % 10)


def luhn_ok(s):
    return s.isdigit() and luhn_digit(s[:-1]) == s[-1]


def org_check(body8):
    tot = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_W))
    c = 11 - tot % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


def uscc_check(body17):
    tot = sum(USCC_CS.index(c) * w for c, w in zip(body17, USCC_W))
    c = 31 - tot % 31
    return USCC_CS[0 if c == 31 else c]


def valid_uscc(s):
    return (len(s) == 18 and all(c in USCC_CS for c in s) and org_check(s[8:16]) == s[16]
            and uscc_check(s[:17]) == s[17])


def vin_check(v):
    c = sum(VIN_T[ch] * w for ch, w in zip(v, VIN_W)) % 11
    return "X" if c == 10 else str(c)


def valid_vin(v):
    return len(v) == 17 and not set(v) & set("IOQ") and all(ch in VIN_T for ch in v) and vin_check(v) == v[8]


MOBILE_RE = re.compile(r"^(13\d|14[5-9]|15[0-35-9]|16[2567]|17[0-35-8]|18\d|19[0-35-9])\d{8}$")


def valid_mobile_digits(d):
    return bool(MOBILE_RE.match(d))


# --------------------------------------------------------------------------
# value generators
# --------------------------------------------------------------------------
class Gen:
    def __init__(self, seed, use_faker=True):
        self.r = random.Random(seed)
        self.fk = None
        if Faker is not None and use_faker:
            self.fk = Faker("zh_CN")
            self.fk.seed_instance(seed)

    # --- identity
    def birth(self, lo=1945, hi=2006):
        d0 = date(lo, 1, 1)
        return d0 + timedelta(days=self.r.randrange((date(hi, 12, 31) - d0).days))

    def rid(self, legacy=False, lower_x=False, region=None):
        r = self.r
        if region is None:
            region = r.choice(ABOLISHED) if r.random() < 0.1 else r.choice(REGIONS)[0]
        b = self.birth()
        seq = "%03d" % r.randrange(1, 1000)
        if legacy:
            b = self.birth(1940, 1999)
            return region + b.strftime("%y%m%d") + seq
        body = region + b.strftime("%Y%m%d") + seq
        c = id_check(body)
        if c == "X" and lower_x:
            c = "x"
        return body + c

    def rid_x(self):
        # an ID whose check char is X (often rendered lower-case)
        while True:
            v = self.rid(lower_x=True)
            if v[-1] in "xX":
                return v

    def rid_bad(self):
        """18 digits that look like an ID but fail the check (wrong check digit)."""
        v = self.rid()
        c = v[17]
        alts = [d for d in "0123456789" if d != c]
        return v[:17] + self.r.choice(alts)

    def rid_masked(self):
        v = self.rid()
        return v[:6] + "********" + v[14:] if self.r.random() < 0.5 else v[:3] + "*" * 11 + v[14:]

    def passport(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            return "E" + "".join(r.choice(string.digits) for _ in range(8))
        if k < 0.75:
            return "E" + r.choice(PLATE_LETTERS) + "".join(r.choice(string.digits) for _ in range(7))
        if k < 0.9:
            return "G" + "".join(r.choice(string.digits) for _ in range(8))
        return r.choice("DSP") + "".join(r.choice(string.digits) for _ in range(7))

    def hk_permit(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            return "C" + "".join(r.choice(string.digits) for _ in range(8))
        if k < 0.7:
            return "C" + r.choice(PLATE_LETTERS) + "".join(r.choice(string.digits) for _ in range(7))
        n = 8 if r.random() < 0.6 else 10
        return r.choice("HM") + "".join(r.choice(string.digits) for _ in range(n))

    def tw_permit(self):
        return "%08d" % self.r.randrange(10 ** 7, 10 ** 8)

    # --- contact
    def mobile_digits(self):
        r = self.r
        seg = r.choice(["13" + str(r.randrange(10)), "14" + r.choice("56789"), "15" + r.choice("01235689"),
                        "16" + r.choice("2567"), "17" + r.choice("0123578"), "18" + str(r.randrange(10)),
                        "19" + r.choice("01235689")])
        return seg + "%08d" % r.randrange(10 ** 8)

    def mobile(self, style=None):
        d = self.mobile_digits()
        r = self.r
        style = style or "plain"
        if style == "mixed":
            style = r.choice(["plain", "plain", "plain", "+86", "+86sp", "dash", "space", "86", "0086", "+86-"])
        return {"plain": d, "+86": "+86" + d, "+86sp": "+86 %s %s %s" % (d[:3], d[3:7], d[7:]),
                "dash": "%s-%s-%s" % (d[:3], d[3:7], d[7:]), "space": "%s %s %s" % (d[:3], d[3:7], d[7:]),
                "86": "86" + d, "0086": "0086" + d, "+86-": "+86-" + d}[style]

    def mobile_masked(self):
        d = self.mobile_digits()
        return d[:3] + "****" + d[7:]

    def non_mobile11(self):
        r = self.r
        pre = r.choice(["10", "11", "12", "154", "194", "140", "141"])
        return pre + "".join(r.choice(string.digits) for _ in range(11 - len(pre)))

    def landline(self, style=None):
        r = self.r
        if r.random() < 0.4:
            area, n = r.choice(AREA3), 8
        else:
            area, n = r.choice(AREA4), r.choice([7, 8])
        num = str(r.randrange(2, 10)) + "".join(r.choice(string.digits) for _ in range(n - 1))
        style = style or r.choice(["dash", "dash", "plain", "space", "ext", "paren"])
        if style == "dash":
            return "%s-%s" % (area, num)
        if style == "plain":
            return area + num
        if style == "space":
            return "%s %s" % (area, num)
        if style == "ext":
            return "%s-%s-%s" % (area, num, r.randrange(100, 9999))
        if style == "paren":
            return "(%s)%s" % (area, num)
        return area + num

    def email(self, name=None):
        r = self.r
        kind = r.random()
        if kind < 0.3:
            local = "".join(r.choice(string.ascii_lowercase) for _ in range(r.randrange(4, 9))) + str(r.randrange(10, 9999))
        elif kind < 0.5:
            local = str(r.randrange(10 ** 5, 10 ** 10))  # QQ-style numeric
        elif kind < 0.7:
            sur = r.choice(list(PINYIN_SUR.values())).lower()
            local = sur + r.choice([".", "_", ""]) + r.choice(PINYIN_GIVEN).lower()
        elif kind < 0.85:
            local = r.choice(["zhang.wei", "li_na", "wangfang", "liu-yang", "chen.jing"]) + "+" + r.choice(["shop", "news", "jd"])
        else:
            local = r.choice(string.ascii_lowercase) + "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(6))
        return local + "@" + r.choice(EMAIL_DOMAINS)

    # --- names / places / orgs
    def name(self, compound_p=0.12, rare=False):
        r = self.r
        sur = r.choice(COMPOUND) if r.random() < compound_p else r.choice(SURNAMES)
        n = 1 if len(sur) == 2 and r.random() < 0.6 else r.choice([1, 2, 2])
        given = "".join(r.choice(GIVEN) for _ in range(n))
        if rare and r.random() < 0.3:
            given = given[:-1] + r.choice(["䶮", "堃", "喆", "昇", "玥", "珺"])
        return sur + given

    def name_pinyin(self):
        r = self.r
        sur = r.choice(list(PINYIN_SUR.values()))
        g = r.choice(PINYIN_GIVEN)
        k = r.random()
        if k < 0.5:
            return "%s %s" % (sur, g)
        if k < 0.75:
            return "%s %s" % (g, sur)
        return "%s %s" % (sur.upper(), g)

    def region(self):
        return self.r.choice(REGIONS)

    def address(self, shape=None):
        r = self.r
        code, prov, city, dist = self.region()
        pre = prov + city + dist
        st = r.choice(STREETS)
        no = r.randrange(1, 999)
        shape = shape or r.choice(["full", "full_unit", "estate", "no_prov", "village", "lane", "building", "full"])
        if shape == "full":
            return "%s%s%d号" % (pre, st, no)
        if shape == "full_unit":
            return "%s%s%d号%d栋%d单元%d室" % (pre, st, no, r.randrange(1, 30), r.randrange(1, 7), r.randrange(101, 2800))
        if shape == "estate":
            return "%s%s%d号%s%d幢%d室" % (pre, st, no, r.choice(ESTATES), r.randrange(1, 30), r.randrange(101, 2800))
        if shape == "no_prov":
            return "%s%s%d号" % (dist, st, no) if r.random() < 0.5 else "%s%s%s%d号院%d号楼" % (city or prov, dist, st, no, r.randrange(1, 20))
        if shape == "village":
            t, v = r.choice(TOWNS)
            return "%s%s%s%d组%d号" % (pre, t, v, r.randrange(1, 12), r.randrange(1, 80))
        if shape == "lane":
            return "%s%s%d弄%d号%d室" % (pre, st, no, r.randrange(1, 60), r.randrange(101, 1800))
        if shape == "building":
            return "%s%s%d号%s大厦%d层" % (pre, st, no, r.choice(["华润", "国贸", "科技", "金融", "创业"]), r.randrange(2, 40))
        raise ValueError(shape)

    def address_nonum(self):
        code, prov, city, dist = self.region()
        st = self.r.choice(STREETS)
        return (prov + city + dist + st) if self.r.random() < 0.5 else (dist + st)

    def company(self):
        r = self.r
        k = r.random()
        if k < 0.12:
            return r.choice(CO_WORD) + r.choice(CO_WORD) + "（" + r.choice(["北京", "上海", "深圳", "中国"]) + "）" + r.choice(CO_IND) + "有限公司"
        if k < 0.2:
            return r.choice(["江苏省", "浙江省", "广东省", "四川省"]) + r.choice(["农业科学", "环境科学", "建筑设计", "信息产业"]) + "研究院"
        if k < 0.27:
            return r.choice(CO_WORD) + r.choice(["控股", "实业", "投资"]) + "集团"
        return r.choice(CO_REGION) + r.choice(CO_WORD) + r.choice(["", r.choice(CO_WORD)]) + r.choice(CO_IND) + r.choice(CO_SUFFIX)

    def uscc(self):
        r = self.r
        head = r.choice(["91", "91", "91", "92", "93", "12", "52", "11", "51"])
        region = self.region()[0]
        letters = [c for c in USCC_CS if c.isalpha()]
        if r.random() < 0.6:
            body = "MA" + "".join(r.choice(string.digits + "".join(letters)) for _ in range(6))
        else:
            body = "".join(r.choice(string.digits) for _ in range(8))
        org = body + org_check(body)
        v = head + region + org
        return v + uscc_check(v)

    def uscc_bad(self):
        v = self.uscc()
        alts = [c for c in USCC_CS if c != v[17]]
        return v[:17] + self.r.choice(alts)

    # --- finance
    def card(self, intl=False, spaced=False):
        r = self.r
        bin_, n = r.choice(BINS_INTL if intl else BINS_UP)
        body = bin_ + "".join(r.choice(string.digits) for _ in range(n - len(bin_) - 1))
        v = body + luhn_digit(body)
        if spaced:
            v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
        return v

    def card_unknown_bin(self):
        # Luhn-valid 16 digits with a first digit no card scheme uses (1, 7, 8, 9)
        body = self.r.choice("1789") + "".join(self.r.choice(string.digits) for _ in range(14))
        return body + luhn_digit(body)

    def card_bad(self):
        v = self.card()
        alts = [d for d in string.digits if d != v[-1]]
        return v[:-1] + self.r.choice(alts)

    # --- vehicles / devices / network
    def plate(self):
        r = self.r
        p = r.choice(PROV_ABBR) + r.choice(PLATE_LETTERS)
        sep = r.choice(["", "", "", "·", "-"])
        k = r.random()
        if k < 0.2:
            tail = r.choice("DF") + r.choice(PLATE_LETTERS + list(string.digits)) + "%04d" % r.randrange(10000)
        elif k < 0.27:
            tail = "%05d" % r.randrange(100000) + r.choice("DF")
        else:
            chars = [r.choice(string.digits) for _ in range(5)]
            for i in r.sample(range(5), r.choice([0, 0, 1, 2])):
                chars[i] = r.choice(PLATE_LETTERS)
            tail = "".join(chars)
        return p + sep + tail

    def vin(self):
        r = self.r
        al = [c for c in string.ascii_uppercase if c not in "IOQ"] + list(string.digits)
        yr = [c for c in "ABCDEFGHJKLMNPRSTVWXY123456789"]
        v = r.choice(VIN_WMI) + "".join(r.choice(al) for _ in range(5)) + "0" + r.choice(yr) + r.choice(al) + \
            "".join(r.choice(string.digits) for _ in range(6))
        return v[:8] + vin_check(v) + v[9:]

    def vin_bad(self):
        v = self.vin()
        alts = [c for c in "0123456789X" if c != v[8]]
        return v[:8] + self.r.choice(alts) + v[9:]

    def imei(self):
        r = self.r
        body = r.choice(["35", "86", "01", "99"]) + "".join(r.choice(string.digits) for _ in range(12))
        return body + luhn_digit(body)

    def imei_bad(self):
        v = self.imei()
        return v[:-1] + self.r.choice([d for d in string.digits if d != v[-1]])

    def ipv4(self):
        r = self.r
        k = r.random()
        if k < 0.2:
            return "192.168.%d.%d" % (r.randrange(256), r.randrange(1, 255))
        if k < 0.3:
            return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255))
        return "%d.%d.%d.%d" % (r.randrange(1, 224), r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def ipv6(self):
        r = self.r
        g = ["%x" % r.randrange(65536) for _ in range(8)]
        k = r.random()
        if k < 0.35:
            return ":".join(g)
        if k < 0.55:
            return "2408:%s:%s::%s" % (g[1], g[2], g[7])
        if k < 0.7:
            return "fe80::%s:%s:%s:%s" % tuple(g[4:])
        if k < 0.8:
            return ":".join("%04X" % int(x, 16) for x in g)
        if k < 0.9:
            return "240e:%s:%s:%s::%s" % (g[1], g[2], g[3], g[6])
        return "::ffff:%d.%d.%d.%d" % (r.randrange(1, 224), r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def mac(self, sep=None, upper=None):
        r = self.r
        sep = sep or r.choice([":", "-"])
        up = r.random() < 0.5 if upper is None else upper
        o = ["%02x" % r.randrange(256) for _ in range(6)]
        s = sep.join(o)
        return s.upper() if up else s

    def geo(self, space=None):
        r = self.r
        lat = r.uniform(18.2, 53.0)
        lng = r.uniform(74.0, 134.5)
        d = r.choice([4, 5, 6, 6])
        sp = (r.random() < 0.3) if space is None else space
        return ("%.*f,%s%.*f" % (d, lat, " " if sp else "", d, lng))

    # --- personal attributes
    def birth_str(self, fmt=None):
        b = self.birth(1950, 2005)
        fmt = fmt or self.r.choice(["iso", "slash", "compact", "cn", "dot"])
        return {"iso": b.isoformat(), "slash": "%d/%d/%d" % (b.year, b.month, b.day), "compact": b.strftime("%Y%m%d"),
                "cn": "%d年%d月%d日" % (b.year, b.month, b.day), "dot": b.strftime("%Y.%m.%d")}[fmt]

    def gender(self, vocab="zh"):
        v = {"zh": ["男", "女"], "mf": ["M", "F"], "en": ["male", "female"], "En": ["Male", "Female"]}[vocab]
        return self.r.choice(v)

    def ethnic(self, bare=False):
        e = "汉族" if self.r.random() < 0.55 else self.r.choice(ETHNIC)
        return e[:-1] if bare and len(e) > 2 else e

    # --- negatives / look-alikes
    def order_no(self):
        r = self.r
        d = date(2023, 1, 1) + timedelta(days=r.randrange(700))
        k = r.random()
        tail = "".join(r.choice(string.digits) for _ in range(10))
        if k < 0.4:
            return d.strftime("%Y%m%d") + tail  # 18 digits starting with the date
        if k < 0.7:
            return r.choice(["DD", "SO", "PO"]) + d.strftime("%Y%m%d") + tail
        return d.strftime("%Y%m%d%H") + "".join(r.choice(string.digits) for _ in range(6))

    def digits18_nonid(self):
        # 18 digits with a non-existent date (month 13..19 or day 32..39) — fails the ID date rule
        r = self.r
        v = r.choice(REGIONS)[0] + str(r.randrange(1950, 2005)) + str(r.randrange(13, 20)) + "%02d" % r.randrange(1, 28) + "%03d" % r.randrange(1000)
        return v + id_check(v)

    def serial15(self):
        while True:
            v = "2024" + "".join(self.r.choice(string.digits) for _ in range(11))
            if not luhn_ok(v):
                return v

    def build4(self):
        r = self.r
        # 4-part build numbers where a part exceeds 255 (so never a valid IPv4)
        return "%d.%d.%d.%d" % (r.randrange(1, 20), r.randrange(0, 10), r.randrange(1000, 30000), r.randrange(1, 5000))

    def version3(self):
        r = self.r
        return "%d.%d.%d" % (r.randrange(0, 12), r.randrange(0, 30), r.randrange(0, 200))

    def md5(self):
        while True:
            h = hashlib.md5(str(self.r.random()).encode()).hexdigest()
            if not re.search(r"\d{7}", h):
                return h

    def sha256(self):
        while True:
            h = hashlib.sha256(str(self.r.random()).encode()).hexdigest()
            if not re.search(r"\d{7}", h):
                return h

    def uuid(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def uid(self):
        return str(self.r.randrange(10 ** 5, 10 ** 8))

    def tracking(self):
        r = self.r
        return r.choice(["SF", "YT", "JD", "ZTO"]) + "".join(r.choice(string.digits) for _ in range(12))

    def amount(self):
        return "%.2f" % self.r.uniform(1, 20000)

    def ts(self):
        d = datetime(2024, 1, 1) + timedelta(seconds=self.r.randrange(40_000_000))
        return d.strftime("%Y-%m-%d %H:%M:%S")

    def hotline(self):
        r = self.r
        return r.choice(["400", "800"]) + "-" + "%03d" % r.randrange(1000) + "-" + "%04d" % r.randrange(10000)

    def engine_no(self):
        r = self.r
        return r.choice(["G4FC", "EA211", "K24Z", "B15D", "JL4G18"]) + "".join(r.choice(string.digits + "ABCDEFGH") for _ in range(7))

    def policy_no(self):
        return "PDAA2024" + "".join(self.r.choice(string.digits) for _ in range(14))

    # --- Faker-backed (validated) values; fall back to own generator
    def fk_name(self):
        return self.fk.name() if self.fk else self.name()

    def fk_phone(self):
        if self.fk:
            for _ in range(20):
                v = self.fk.phone_number()
                if valid_mobile_digits(v):
                    return v
        return self.mobile()

    def fk_ssn(self):
        if self.fk:
            for _ in range(20):
                v = self.fk.ssn()
                if valid_rid(v):
                    return v
        return self.rid()

    def fk_address(self):
        # Faker's zh_CN address: province + city/county + road + building + postcode
        return self.fk.address() if self.fk else self.address()

    def fk_company(self):
        return self.fk.company() if self.fk else self.company()

    def fk_email(self):
        return self.fk.email() if self.fk else self.email()

    def fk_plate(self):
        if self.fk:
            return self.fk.license_plate()
        return self.plate()

    def fk_card(self):
        if self.fk:
            for _ in range(100):
                v = self.fk.credit_card_number()
                if luhn_ok(v) and 13 <= len(v) <= 19 and re.match(r"^(62|4|5[1-5]|3[4-7])", v):
                    return v
        return self.card()

    def fk_dob(self):
        if self.fk:
            return self.fk.date_of_birth(minimum_age=18, maximum_age=80).isoformat()
        return self.birth_str("iso")

    def fk_pinyin(self):
        return self.fk.romanized_name() if self.fk else self.name_pinyin()


# --------------------------------------------------------------------------
# column kinds: name -> (generator(g) -> str, truth types)
# --------------------------------------------------------------------------
def K(g):
    return {
        "rid": (lambda: g.rid(lower_x=g.r.random() < 0.5), ["cn_resident_id"]),
        "rid_x": (lambda: g.rid_x() if g.r.random() < 0.5 else g.rid(lower_x=True), ["cn_resident_id"]),
        "rid15": (lambda: g.rid(legacy=True), ["cn_resident_id"]),
        "rid_mix15": (lambda: g.rid(legacy=g.r.random() < 0.4), ["cn_resident_id"]),
        "rid_bad": (g.rid_bad, []),
        "rid_masked": (g.rid_masked, []),
        "digits18": (g.digits18_nonid, []),
        "mobile": (g.mobile, ["cn_mobile"]),
        "mobile_mixed": (lambda: g.mobile("mixed"), ["cn_mobile"]),
        "mobile_masked": (g.mobile_masked, []),
        "non_mobile": (g.non_mobile11, []),
        "landline": (g.landline, ["cn_landline"]),
        "landline_plain": (lambda: g.landline(g.r.choice(["dash", "plain"])), ["cn_landline"]),
        "phone_mix": (lambda: g.mobile() if g.r.random() < 0.6 else g.landline("dash"), ["cn_mobile", "cn_landline"]),
        "hotline": (g.hotline, []),
        "email": (g.email, ["email"]),
        "email_md5": (lambda: hashlib.md5(g.email().encode()).hexdigest(), []),
        "name": (g.name, ["person_name"]),
        "name_rare": (lambda: g.name(rare=True), ["person_name"]),
        "name_pinyin": (g.name_pinyin, ["person_name"]),
        "address": (g.address, ["address"]),
        "province": (lambda: g.region()[1], []),
        "city": (lambda: (g.region()[2] or g.region()[1]), []),
        "company": (g.company, ["company_name"]),
        "uscc": (g.uscc, ["cn_uscc"]),
        "uscc_bad": (g.uscc_bad, []),
        "card": (g.card, ["bank_card"]),
        "card_spaced": (lambda: g.card(spaced=g.r.random() < 0.7), ["bank_card"]),
        "card_intl": (lambda: g.card(intl=True), ["bank_card"]),
        "card_bad": (g.card_bad, []),
        "plate": (g.plate, ["cn_license_plate"]),
        "vin": (g.vin, ["vin"]),
        "vin_bad": (g.vin_bad, []),
        "imei": (g.imei, ["imei"]),
        "imei_bad": (g.imei_bad, []),
        "ipv4": (g.ipv4, ["ipv4"]),
        "ipv6": (g.ipv6, ["ipv6"]),
        "mac": (g.mac, ["mac_address"]),
        "geo": (g.geo, ["geo_coordinate"]),
        "geo_2dp": (lambda: "%.2f,%.2f" % (g.r.uniform(18, 53), g.r.uniform(74, 134)), []),
        "passport": (g.passport, ["cn_passport"]),
        "hk": (g.hk_permit, ["cn_hk_macau_permit"]),
        "tw": (g.tw_permit, ["cn_taiwan_permit"]),
        "dob": (g.birth_str, ["birth_date"]),
        "dob_iso": (lambda: g.birth_str("iso"), ["birth_date"]),
        "date_neg": (lambda: (date(2015, 1, 1) + timedelta(days=g.r.randrange(3500))).isoformat(), []),
        "date_old_opaque": (lambda: g.birth_str("iso"), []),  # birth-like dates under an opaque header
        "gender": (lambda: g.gender("zh"), ["gender"]),
        "gender_mf": (lambda: g.gender("mf"), ["gender"]),
        "gender_en": (lambda: g.gender(g.r.choice(["en", "En"])), ["gender"]),
        "ethnic": (g.ethnic, ["ethnicity"]),
        "ethnic_bare": (lambda: g.ethnic(bare=True), ["ethnicity"]),
        # negatives
        "order": (g.order_no, []),
        "serial15": (g.serial15, []),
        "build4": (g.build4, []),
        "version3": (g.version3, []),
        "md5": (g.md5, []),
        "sha256": (g.sha256, []),
        "uuid": (g.uuid, []),
        "tracking": (g.tracking, []),
        "amount": (g.amount, []),
        "qty": (lambda: str(g.r.randrange(1, 500)), []),
        "status": (lambda: g.r.choice(STATUS), []),
        "product": (lambda: g.r.choice(PRODUCTS), []),
        "ts": (g.ts, []),
        "benign": (lambda: g.r.choice(BENIGN), []),
        "ext": (lambda: str(g.r.randrange(1000, 9999)), []),
        "relation": (lambda: g.r.choice(["父亲", "母亲", "配偶", "子女", "朋友", "同事"]), []),
        "dept": (lambda: g.r.choice(["财务部", "人力资源部", "研发中心", "市场部", "法务部", "客服部"]), []),
        "engine": (g.engine_no, []),
        "policy": (g.policy_no, []),
        "emp_no": (lambda: "E%07d" % g.r.randrange(10 ** 7), []),
        "postcode": (lambda: "%06d" % g.r.randrange(100000, 860000), []),
        "uid": (lambda: str(g.r.randrange(10 ** 6, 10 ** 9)), []),
        "unix_ms": (lambda: str(g.r.randrange(1_700_000_000_000, 1_760_000_000_000)), []),
        "store": (lambda: g.r.choice(["星巴克", "瑞幸咖啡", "全家便利店", "海底捞", "优衣库"]) + "（" + g.r.choice(["国贸店", "西湖店", "春熙路店", "南京路店"]) + "）", []),
        "ua": (lambda: g.r.choice(["Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15",
                                   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.6367.118 Safari/537.36",
                                   "okhttp/4.9.3", "Dalvik/2.1.0 (Linux; U; Android 13; 22081212C Build/TKQ1.220829.002)"]), []),
        # faker-backed
        "fk_name": (g.fk_name, ["person_name"]),
        "fk_phone": (g.fk_phone, ["cn_mobile"]),
        "fk_ssn": (g.fk_ssn, ["cn_resident_id"]),
        "fk_address": (g.fk_address, ["address"]),
        "fk_company": (g.fk_company, ["company_name"]),
        "fk_email": (g.fk_email, ["email"]),
        "fk_plate": (g.fk_plate, ["cn_license_plate"]),
        "fk_card": (g.fk_card, ["bank_card"]),
        "fk_dob": (g.fk_dob, ["birth_date"]),
        "fk_pinyin": (g.fk_pinyin, ["person_name"]),
        "fk_ipv4": (lambda: g.fk.ipv4() if g.fk else g.ipv4(), ["ipv4"]),
        "fk_ipv6": (lambda: g.fk.ipv6() if g.fk else g.ipv6(), ["ipv6"]),
        "fk_mac": (lambda: g.fk.mac_address() if g.fk else g.mac(), ["mac_address"]),
        # harder cases (added after the first scanner run)
        "id_mixed": (lambda: g.r.choice([g.rid, g.rid, g.passport, g.hk_permit])(),
                     ["cn_resident_id", "cn_passport", "cn_hk_macau_permit"]),
        "id_type": (lambda: g.r.choice(["身份证", "护照", "港澳通行证"]), []),
        "contact_mix": (lambda: g.mobile() if g.r.random() < 0.55 else g.email(), ["cn_mobile", "email"]),
        "sparse_mobile": (lambda: g.mobile() if g.r.random() < 0.15 else "", ["cn_mobile"]),
        "rid_junk": (lambda: g.r.choice(["N/A", "-", "未知", "无"]) if g.r.random() < 0.3 else g.rid(), ["cn_resident_id"]),
        "dob_dt": (lambda: g.birth_str("iso") + " 00:00:00", ["birth_date"]),
        "gender_unknown": (lambda: g.r.choice(["男", "女", "男", "女", "未知"]), ["gender"]),
        "mac_bare": (lambda: g.mac().replace(":", "").replace("-", ""), []),
        "card_unknown_bin": (g.card_unknown_bin, []),
        "city_only": (lambda: (lambda rg: rg[1] + rg[2])(g.region()), []),
        "email_notld": (lambda: g.r.choice(["admin", "ops", "root", "backup", "svc_" + g.md5()[:4]]) + "@" +
                        g.r.choice(["localhost", "intranet", "db-master", "nas01"]), []),
        "ip_port": (lambda: "%s:%d" % (g.ipv4(), g.r.choice([80, 443, 8080, 3306, g.r.randrange(1024, 65535)])), ["ipv4"]),
        "email_upper": (lambda: g.email().upper(), ["email"]),
        "addr_nonum": (g.address_nonum, ["address"]),
        "name4": (lambda: g.r.choice(COMPOUND) + "".join(g.r.choice(GIVEN) for _ in range(2)), ["person_name"]),
        "landline_paren": (lambda: g.landline("paren"), ["cn_landline"]),
        "mobile_int": (lambda: int(g.mobile()), ["cn_mobile"]),
        "card_int": (lambda: int(g.card()), ["bank_card"]),
        "imei_int": (lambda: int(g.imei()), ["imei"]),
        "json_blob": (lambda: json.dumps({"phone": g.mobile(), "email": g.email(), "vip": g.r.random() < 0.3}, ensure_ascii=False)
                      if g.r.random() < 0.8 else "{}", ["cn_mobile", "email"]),
        "multi_mobile": (lambda: ";".join(g.mobile() for _ in range(g.r.choice([1, 2, 2, 3]))), ["cn_mobile"]),
        "local_no_area": (lambda: str(g.r.randrange(2, 10)) + "".join(g.r.choice(string.digits) for _ in range(7)), []),
        "age": (lambda: str(g.r.randrange(18, 80)), []),
        "fruit": (lambda: g.r.choice(FRUIT), []),
        "category": (lambda: g.r.choice(CATEGORY), []),
        "uid_int": (lambda: g.r.randrange(10 ** 5, 10 ** 9), []),
        "amount_num": (lambda: round(g.r.uniform(1, 9999), 2), []),
    }


# free-text cells: type -> list of templates using {v}
MEMO_T = {
    "cn_mobile": ["备用号码：{v}", "客户改约，请回电{v}", "联系不上时打{v}", "手机 {v} 已核实"],
    "cn_landline": ["公司座机{v}", "办公室电话：{v}，工作日可打"],
    "email": ["发票发到邮箱{v}", "对账单请发 {v}", "mail: {v}"],
    "cn_resident_id": ["实名认证证件{v}", "身份证{v}已核验", "证件号码：{v}"],
    "address": ["改寄到{v}", "收货地址变更为：{v}", "上门地址 {v}"],
    "bank_card": ["退款原路返回至卡号{v}", "打款账户 {v}"],
    "cn_uscc": ["开票税号{v}", "统一社会信用代码：{v}"],
    "person_name": ["联系人：{v}", "经办人{v}已签收", "代收人：{v}"],
    "cn_license_plate": ["车牌{v}，停B2层", "送货车辆 {v}"],
    "ipv4": ["异常登录IP {v}"],
    "cn_passport": ["护照号{v}，需报关"],
}


def memo_value(g, t):
    v = {"cn_mobile": lambda: g.mobile("mixed"), "cn_landline": lambda: g.landline("dash"), "email": g.email,
         "cn_resident_id": g.rid, "address": lambda: g.address(g.r.choice(["full", "full_unit", "estate"])),
         "bank_card": g.card, "cn_uscc": g.uscc, "person_name": lambda: g.name(compound_p=0.1),
         "cn_license_plate": g.plate, "ipv4": g.ipv4, "cn_passport": g.passport}[t]()
    return g.r.choice(MEMO_T[t]).format(v=v)


def memo_benign(g):
    r = g.r
    return r.choice([
        r.choice(BENIGN),
        "订单号%s已归档" % g.order_no(),
        "快递单号%s" % g.tracking(),
        "实付金额￥%s" % g.amount(),
        "客户端版本%s" % g.version3(),
        "请于%s前发货" % (date(2024, 6, 1) + timedelta(days=r.randrange(200))).isoformat(),
        "",
        "",
    ])


def make_memo_column(g, n, types, rate=0.35):
    """Return n cell values; each type in `types` appears at least 3 times."""
    cells = [None] * n
    idx = list(range(n))
    g.r.shuffle(idx)
    k = 0
    for t in types:
        for _ in range(3):
            cells[idx[k]] = memo_value(g, t)
            k += 1
    for i in range(n):
        if cells[i] is None:
            if g.r.random() < rate:
                cells[i] = memo_value(g, g.r.choice(types))
            else:
                cells[i] = memo_benign(g)
    return cells


def multiline_memo(g, types):
    # a quoted CSV cell with an embedded newline and commas
    parts = [memo_value(g, t) for t in g.r.sample(types, min(2, len(types)))]
    return "，".join(parts[:1]) + "\n" + "，".join(parts[1:]) + "，谢谢, 已处理"


# --------------------------------------------------------------------------
# table definitions
# --------------------------------------------------------------------------
# (file, encoding, rows, [(header, kind)], options)
#   kind "memo:t1,t2" -> free-text column with those types
#   options: empty=fraction of empty cells, null=use null in jsonl, omit=drop keys in jsonl, multiline
TABLES = [
    ("h01.csv", "utf-8", 120, [("姓名", "name"), ("手机号", "mobile_mixed"), ("身份证号", "rid"), ("家庭住址", "address"),
                               ("邮箱", "email"), ("订单号", "order"), ("金额", "amount")], {"empty": 0.05}),
    ("h02.tsv", "gbk", 150, [("c1", "name"), ("c2", "mobile"), ("c3", "rid"), ("c4", "card"), ("c5", "order"),
                             ("c6", "status"), ("c7", "address")], {"empty": 0.08}),
    ("h03.jsonl", "utf-8", 100, [("user_id", "uid"), ("phone", "order"), ("手机", "mobile_mixed"), ("id", "rid_bad"),
                                 ("备注", "memo:cn_mobile,email,address,cn_resident_id")], {"null": True}),
    ("h04.csv", "utf-8-sig", 80, [("f_01", "email"), ("f_02", "ipv4"), ("f_03", "mac"), ("f_04", "imei"), ("f_05", "vin"),
                                  ("f_06", "geo"), ("f_07", "md5"), ("f_08", "version3")], {"empty": 0.05}),
    ("h05.csv", "gb18030", 90, [("单位名称", "company"), ("统一社会信用代码", "uscc"), ("法定代表人", "name_rare"),
                                ("注册地址", "address"), ("联系电话", "landline"), ("注册资本(万元)", "amount"),
                                ("成立日期", "date_neg")], {}),
    ("h06.jsonl", "gbk", 120, [("name", "fk_name"), ("phone", "fk_phone"), ("ssn", "fk_ssn"), ("address", "fk_address"),
                               ("company", "fk_company"), ("email", "fk_email"), ("dob", "fk_dob"), ("sex", "gender_mf"),
                               ("plate", "fk_plate"), ("card", "fk_card")], {"omit": 0.05}),
    ("h07.tsv", "utf-8", 110, [("车牌号", "plate"), ("车架号", "vin"), ("车主", "name"), ("联系方式", "mobile"),
                               ("发动机号", "engine"), ("保单号", "policy"), ("出险地点", "address")], {"empty": 0.03}),
    ("h08.csv", "utf-8", 100, [("姓名", "name"), ("护照号", "passport"), ("港澳通行证号", "hk"), ("台胞证号", "tw"),
                               ("出生日期", "dob"), ("性别", "gender"), ("民族", "ethnic")], {"empty": 0.05}),
    ("h09.csv", "utf-8", 70, [("hostname", "uuid"), ("ip", "ipv4"), ("ipv6", "ipv6"), ("mac", "mac"), ("imei", "imei"),
                              ("fw_version", "build4"), ("asset_owner", "name")], {}),
    ("h10.jsonl", "utf-8", 150, [("ts", "ts"), ("client_ip", "ipv4"), ("ua", "ua"), ("trace_id", "sha256"),
                                 ("user", "email"), ("loc", "geo"), ("latency_ms", "qty")], {}),
    ("h11.csv", "gbk", 100, [("手机号", "mobile_masked"), ("身份证", "rid_masked"), ("银行卡", "card_bad"),
                             ("email", "email_md5"), ("ip", "build4"), ("地址", "province")], {}),
    ("h12.tsv", "utf-8", 130, [("xm", "name"), ("sjhm", "mobile"), ("sfzh", "rid"), ("jtzz", "address"), ("yhkh", "card"),
                               ("dzyx", "email"), ("csrq", "dob"), ("xb", "gender"), ("mz", "ethnic")], {"empty": 0.05}),
    ("h13.csv", "utf-8", 80, [("办公电话", "landline"), ("客服热线", "hotline"), ("分机号", "ext"),
                              ("联系人", "name"), ("所属公司", "company")], {}),
    ("h14.jsonl", "utf-8", 100, [("acct_no", "card_spaced"), ("credit_card", "card_intl"), ("holder", "name"),
                                 ("txn_id", "order"), ("amount", "amount"), ("ts", "ts")], {"null": True}),
    ("h15.csv", "utf-8", 60, [("location", "geo"), ("location_approx", "geo_2dp"), ("store", "store"),
                              ("visitor_ip", "ipv4"), ("visitor_mac", "mac")], {}),
    ("h16.json", "utf-8", 80, [("user.name", "name"), ("user.mobile", "mobile"), ("user.id_card", "rid"),
                               ("user.addr.detail", "address"), ("user.addr.city", "city"), ("order.no", "order"),
                               ("order.amount", "amount"), ("device.imei", "imei"), ("device.ip", "ipv6")], {}),
    ("h17.csv", "utf-8", 90, [("证件号码", "rid_mix15"), ("col2", "rid_x"), ("col3", "digits18"), ("col4", "serial15"),
                              ("col5", "non_mobile")], {}),
    ("h18.tsv", "gb18030", 100, [("员工编号", "emp_no"), ("姓名", "name_rare"), ("部门", "dept"), ("入职日期", "date_neg"),
                                 ("出生日期", "dob"), ("工作单位", "company"), ("民族", "ethnic_bare")], {}),
    ("h19.csv", "utf-8", 120, [("联系电话", "phone_mix"), ("紧急联系人", "name"), ("关系", "relation"),
                               ("紧急联系人电话", "mobile_mixed")], {"empty": 0.05}),
    ("h20.jsonl", "utf-8", 90, [("full_name", "name_pinyin"), ("mobile_phone", "mobile_mixed"), ("email_address", "email"),
                                ("home_address", "address"), ("national_id", "rid"), ("date_of_birth", "dob_iso"),
                                ("gender", "gender_en")], {}),
    ("h21.csv", "gbk", 110, [("col1", "uscc"), ("col2", "company"), ("col3", "plate"), ("col4", "passport"),
                             ("col5", "hk"), ("col6", "landline_plain"), ("col7", "ipv6")], {"empty": 0.05}),
    ("h22.tsv", "utf-8", 120, [("order_no", "order"), ("卡号", "card_bad"), ("ticket", "non_mobile"), ("serial", "serial15"),
                               ("vin_ref", "vin_bad"), ("tax_ref", "uscc_bad"), ("build", "build4"), ("imei_ref", "imei_bad"),
                               ("c9", "date_old_opaque")], {}),
    ("h23.csv", "utf-8", 80, [("工单号", "order"), ("备注", "memo:person_name,cn_mobile,address,bank_card"),
                              ("comment", "memo:email,cn_resident_id,cn_uscc"), ("状态", "status")], {"multiline": True}),
    ("h24.jsonl", "utf-8-sig", 100, [("event", "status"), ("uid", "uid"), ("imei", "imei"), ("mac", "fk_mac"),
                                     ("ipv6", "fk_ipv6"), ("idfa", "uuid"), ("os_ver", "version3"), ("ts_ms", "unix_ms")], {}),
    ("h25.csv", "gbk", 140, [("收货人", "fk_name"), ("收货电话", "mobile_mixed"), ("收货地址", "address"),
                             ("快递单号", "tracking"), ("下单时间", "ts"), ("备注", "memo:cn_mobile,cn_landline,person_name")],
     {"empty": 0.04}),
    ("h27.csv", "utf-8", 100, [("姓名", "name"), ("证件类型", "id_type"), ("证件号码", "id_mixed"), ("联系方式", "contact_mix")],
     {"delim": ";", "quote_all": True}),
    ("h28.jsonl", "utf-8", 100, [("uid", "uid_int"), ("mobile", "mobile_int"), ("card_no", "card_int"), ("imei", "imei_int"),
                                 ("amount", "amount_num")], {}),
    ("h29.csv", "gbk", 200, [("ip", "ipv4"), ("mac", "mac"), ("mail", "email"), ("姓名", "name"), ("备注", "benign")],
     {"ascii_first": ["姓名", "备注"]}),
    ("h30.tsv", "utf-8", 150, [("c1", "sparse_mobile"), ("身份证号", "rid_junk"), ("birthday", "dob_dt"), ("性别", "gender_unknown"),
                               ("民族", "ethnic")], {}),
    ("h31.csv", "utf-8", 100, [("mac", "mac_bare"), ("card", "card_unknown_bin"), ("addr", "city_only"), ("email", "email_notld"),
                               ("手机", "non_mobile"), ("身份证", "digits18")], {}),
    ("h32.csv", "utf-8", 100, [("remote_addr", "ip_port"), ("EMAIL", "email_upper"), ("addr_short", "addr_nonum"),
                               ("name", "name4"), ("电话", "landline_paren")], {}),
    ("h33.xlsx", "xlsx", 80, [("客户姓名", "name"), ("手机", "mobile_int"), ("证件号", "rid"), ("开户行卡号", "card"),
                              ("邮编", "postcode"), ("地址", "address"), ("IMEI", "imei_int")], {}),
    ("h34.csv.gz", "gbk+gzip", 90, [("姓名", "name"), ("电话", "mobile"), ("所在城市", "city"), ("单位", "company"),
                                    ("车牌", "plate")], {}),
    ("h35.jsonl", "utf-8", 80, [("order_id", "order"), ("ext", "json_blob"), ("phones", "multi_mobile"),
                                ("phone", "local_no_area"), ("age", "age")], {}),
    ("h36.csv", "utf-8", 120, [("sku", "md5"), ("品类", "category"), ("c3", "fruit"), ("单价", "amount"),
                               ("库存", "qty")], {}),
    ("h26.jsonl", "gb18030", 60, [("c1", "fk_name"), ("c2", "fk_ipv4"), ("c3", "cn_pass_mix"), ("c4", "plate"),
                                  ("c5", "postcode"), ("c6", "memo:cn_passport,cn_license_plate,ipv4")], {"omit": 0.1}),
]


def build_tables(g, outdir):
    kinds = K(g)
    kinds["cn_pass_mix"] = (lambda: g.passport(), ["cn_passport"])
    os.makedirs(outdir, exist_ok=True)
    truth = {}
    for fname, enc, n, cols, opt in TABLES:
        columns = {}
        data = {}
        for h, kind in cols:
            if kind.startswith("memo:"):
                types = kind[5:].split(",")
                vals = make_memo_column(g, n, types)
                if opt.get("multiline"):
                    for i in g.r.sample(range(n), n // 10):
                        vals[i] = multiline_memo(g, types)
                columns[h] = sorted(set(types))
            else:
                fn, t = kinds[kind]
                vals = []
                for _ in range(n):
                    v = ""
                    if g.r.random() >= opt.get("empty", 0):
                        for _try in range(50):
                            v = fn()
                            try:
                                str(v).encode("utf-8" if enc == "xlsx" else enc.split("+")[0].replace("-sig", ""))
                                break
                            except UnicodeEncodeError:
                                continue
                    vals.append(v)
                columns[h] = list(t)
            data[h] = vals
        headers = [h for h, _ in cols]
        if opt.get("ascii_first"):
            # Chinese only in the last 10% of rows (encoding sniffers that read the head see ASCII)
            for h in opt["ascii_first"]:
                data[h] = [""] * (n - n // 10) + data[h][: n // 10]
        rows = [[data[h][i] for h in headers] for i in range(n)]
        write_table(os.path.join(outdir, fname), enc, headers, rows, opt, g)
        truth[fname] = {"encoding": enc, "rows": None if enc == "xlsx" else n, "columns": columns}
    return truth


def write_xlsx(path, headers, rows):
    """minimal stdlib xlsx (shared strings; ints/floats as numeric cells)"""
    sst, sidx = [], {}

    def si(v):
        if v not in sidx:
            sidx[v] = len(sst)
            sst.append(v)
        return sidx[v]

    def col(i):
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s

    out = []
    for ri, r in enumerate([headers] + rows, start=1):
        cells = []
        for ci, v in enumerate(r):
            ref = "%s%d" % (col(ci), ri)
            if v == "" or v is None:
                continue
            if isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, si(v)))
        out.append('<row r="%d">%s</row>' % (ri, "".join(cells)))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>'
             % "".join(out))
    sst_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
               % (len(sst), len(sst), "".join('<si><t xml:space="preserve">%s</t></si>' % xml_escape(x) for x in sst)))
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            zi = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, body.encode("utf-8"))


def write_table(path, enc, headers, rows, opt, g):
    if path.endswith(".xlsx"):
        return write_xlsx(path, headers, rows)
    gz = path.endswith(".gz")
    ext = (path[:-3] if gz else path).rsplit(".", 1)[1]
    buf = io.StringIO()
    if ext in ("csv", "tsv"):
        w = csv.writer(buf, delimiter=opt.get("delim") or ("," if ext == "csv" else "\t"),
                       lineterminator="\r\n" if g.r.random() < 0.3 else "\n",
                       quoting=csv.QUOTE_ALL if opt.get("quote_all") else csv.QUOTE_MINIMAL)
        w.writerow(headers)
        for r in rows:
            w.writerow(r)
    elif ext == "jsonl":
        for r in rows:
            obj = {}
            for h, v in zip(headers, r):
                if v == "" and opt.get("null"):
                    v = None
                if opt.get("omit") and g.r.random() < opt["omit"]:
                    continue
                obj[h] = v
            buf.write(json.dumps(obj, ensure_ascii=False) + "\n")
    elif ext == "json":
        arr = []
        for r in rows:
            obj = {}
            for h, v in zip(headers, r):
                cur = obj
                parts = h.split(".")
                for p in parts[:-1]:
                    cur = cur.setdefault(p, {})
                cur[parts[-1]] = v
            arr.append(obj)
        buf.write(json.dumps(arr, ensure_ascii=False, indent=1))
    data = buf.getvalue().encode(enc.split("+")[0])
    if gz:
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)


# --------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------
class Doc:
    def __init__(self):
        self.parts = []

    def t(self, s):
        self.parts.append((s, None))
        return self

    def s(self, typ, v):
        self.parts.append((v, typ))
        return self

    def render(self):
        text, spans, pos = [], [], 0
        for s, typ in self.parts:
            if typ:
                spans.append([pos, pos + len(s), typ, s])
            text.append(s)
            pos += len(s)
        return "".join(text), spans


def neg_sentence(g):
    r = g.r
    return r.choice([
        "本月共处理订单%d笔，退款率%.1f%%，系统版本%s运行正常。" % (r.randrange(100, 9000), r.uniform(0, 5), g.version3()),
        "订单号%s已于%s完成结算，金额￥%s。" % (g.order_no(), g.ts(), "{:,.2f}".format(r.uniform(10, 99999))),
        "快递单号%s，预计%d月%d日送达。" % (g.tracking(), r.randrange(1, 13), r.randrange(1, 29)),
        "如有疑问请拨打客服热线%s（工作日9:00-18:00）。" % g.hotline(),
        "固件升级至%s后重启设备，校验值sha256:%s。" % (g.build4(), g.sha256()[:32]),
        "工单%s的处理时长为%.2f小时，满意度%d%%。" % (g.serial15(), r.uniform(0.5, 40), r.randrange(60, 100)),
        "网站备案号：京ICP备%08d号-%d，请勿转载。" % (r.randrange(10 ** 7), r.randrange(1, 5)),
        "会议定于%s在3号会议室召开，约北纬31.23度附近天气晴。" % (date(2024, 7, 1) + timedelta(days=r.randrange(100))).isoformat(),
        "本批次编号%s，请求ID %s。" % (g.digits18_nonid(), g.uuid()),
        "累计支付%d次，共计%s元，优惠码%s。" % (r.randrange(2, 80), g.amount(), "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))),
        "请于%s前完成季度报表，报表编号%s。" % ((date(2024, 3, 1) + timedelta(days=r.randrange(300))).strftime("%Y年%m月%d日"), g.non_mobile11()),
    ])


def doc_chat(g, d):
    """customer-service chat transcript: names in speaker position"""
    cust = g.name()
    agent_no = "A%03d" % g.r.randrange(1000)
    t0 = datetime(2024, 5, 1, 9) + timedelta(minutes=g.r.randrange(200000))

    def ts():
        nonlocal t0
        t0 += timedelta(seconds=g.r.randrange(20, 200))
        return t0.strftime("[%Y-%m-%d %H:%M:%S] ")

    d.t("会话记录 #%s\n" % g.uuid()[:8])
    d.t(ts() + "客服（工号%s）：您好，请问有什么可以帮您？\n" % agent_no)
    d.t(ts()).s("person_name", cust).t("：我的快递一直没到，订单号%s。\n" % g.order_no())
    d.t(ts() + "客服（工号%s）：请提供一下收件手机号。\n" % agent_no)
    d.t(ts()).s("person_name", cust).t("：").s("cn_mobile", g.mobile(g.r.choice(["plain", "space", "dash"]))).t("\n")
    d.t(ts() + "客服（工号%s）：好的，地址是否需要修改？\n" % agent_no)
    d.t(ts()).s("person_name", cust).t("：改成").s("address", g.address("full_unit")).t("，谢谢。\n")
    d.t(ts() + "客服（工号%s）：已为您修改，快递单号%s。\n" % (agent_no, g.tracking()))
    d.t(ts()).s("person_name", cust).t("：另外帮我改一下邮箱 ").s("email", g.email()).t(" 。\n")
    d.t(ts() + "客服（工号%s）：已更新，祝您生活愉快。\n\n" % agent_no)


def doc_applog(g, d, n=12):
    r = g.r
    for _ in range(n):
        ts = g.ts()
        k = r.random()
        if k < 0.2:
            d.t("%s INFO  [auth] login ok uid=%s ip=" % (ts, g.uid())).s("ipv4", g.ipv4()).t(" mobile=").s("cn_mobile", g.mobile()).t(" cost=%dms\n" % r.randrange(3, 900))
        elif k < 0.35:
            d.t("%s WARN  [pay] card verify failed card_no=" % ts).s("bank_card", g.card()).t(" order=%s amount=%s\n" % (g.order_no(), g.amount()))
        elif k < 0.5:
            d.t('%s DEBUG [device] {"event":"register","imei":"' % ts).s("imei", g.imei()).t('","mac":"').s("mac_address", g.mac(":")).t('","os":"Android %d","app_ver":"%s"}\n' % (r.randrange(9, 15), g.version3()))
        elif k < 0.6:
            d.t("%s INFO  [net] client=" % ts).s("ipv6", g.ipv6()).t(" upstream=backend-01:8080 trace=%s\n" % g.md5())
        elif k < 0.7:
            d.t("%s ERROR [kyc] id check failed id_no=%s reason=checksum\n" % (ts, g.rid_bad()))
        elif k < 0.8:
            d.t("%s INFO  [kyc] verified id_no=" % ts).s("cn_resident_id", g.rid()).t(" name=").s("person_name", g.name()).t("\n")
        elif k < 0.9:
            d.t("%s INFO  [build] deployed version=%s build=%s commit=%s\n" % (ts, g.version3(), g.build4(), g.md5()[:12]))
        else:
            d.t("%s INFO  [geo] report lat_lng=" % ts).s("geo_coordinate", g.geo(False)).t(" speed=%.1fkm/h\n" % r.uniform(0, 90))


def doc_nginx(g, d, n=12):
    r = g.r
    for _ in range(n):
        ip = g.ipv4() if r.random() < 0.8 else g.ipv6()
        typ = "ipv4" if "." in ip and ":" not in ip else "ipv6"
        t = datetime(2024, 6, 1) + timedelta(seconds=r.randrange(9_000_000))
        path = r.choice(["/api/v2/orders/%s" % g.order_no(), "/static/app.%s.js" % g.md5()[:8], "/login", "/api/v1/user/profile",
                         "/download/pkg-%s.tar.gz" % g.version3()])
        d.s(typ, ip).t(' - - [%s +0800] "GET %s HTTP/1.1" %d %d "-" "%s"\n' % (
            t.strftime("%d/%b/%Y:%H:%M:%S"), path, r.choice([200, 200, 304, 404, 502]), r.randrange(200, 90000),
            K(g)["ua"][0]()))


def doc_minutes(g, d):
    r = g.r
    ppl = [g.name(compound_p=0.25) for _ in range(4)]
    d.t("# %s第%d季度项目评审会纪要\n\n" % (r.choice(["2024年", "2025年"]), r.randrange(1, 5)))
    d.t("**时间**：%s 14:00-16:30\n\n**地点**：总部3号会议室\n\n**主持人**：" % (date(2024, 4, 1) + timedelta(days=r.randrange(300))).isoformat())
    d.s("person_name", ppl[0]).t("\n\n**参会人员**：")
    for i, p in enumerate(ppl[1:]):
        if i:
            d.t("、")
        d.s("person_name", p)
        if r.random() < 0.4:
            d.t("（%s）" % K(g)["dept"][0]())
    d.t("\n\n## 一、议题\n\n1. 新版本%s上线计划，预计节省成本%d万元；\n2. 供应商" % (g.version3(), r.randrange(5, 500)))
    d.s("company_name", g.company()).t("的合同续签（合同编号HT%s）。\n\n" % g.order_no())
    d.t("## 二、决议\n\n- 由").s("person_name", ppl[1]).t("负责对接供应商，联系电话").s("cn_landline", g.landline("dash")).t("。\n")
    d.t("- 记录人：").s("person_name", ppl[2]).t("\n\n")
    d.t(neg_sentence(g) + "\n\n")


def doc_contract(g, d):
    r = g.r
    co = g.company()
    d.t("劳动合同\n\n甲方（用人单位）：").s("company_name", co).t("\n统一社会信用代码：").s("cn_uscc", g.uscc()).t("\n")
    d.t("住所：").s("address", g.address("building")).t("\n法定代表人：").s("person_name", g.name()).t("\n\n")
    nm = g.name(compound_p=0.3)
    d.t("乙方（劳动者）：").s("person_name", nm).t("\n居民身份证号码：").s("cn_resident_id", g.rid(lower_x=True)).t("\n")
    d.t("户籍地址：").s("address", g.address("village")).t("\n现居住地址：").s("address", g.address("estate")).t("\n")
    d.t("联系电话：").s("cn_mobile", g.mobile("+86sp")).t("  电子邮箱：").s("email", g.email()).t("\n\n")
    d.t("第一条 合同期限自%s起至%s止，试用期%d个月，月工资人民币%s元（税前）。\n" % (
        "2024年7月1日", "2027年6月30日", r.choice([1, 3, 6]), "{:,}".format(r.randrange(5000, 60000))))
    d.t("第二条 工资发放至乙方本人银行账户 ").s("bank_card", g.card(spaced=True)).t("。\n")
    d.t("第三条 本合同一式两份，合同编号%s。\n\n甲方（盖章）                乙方（签字）：" % g.order_no()).s("person_name", nm).t("\n\n")


def doc_express(g, d, n=4):
    r = g.r
    for _ in range(n):
        nm = g.name()
        hon = r.choice(["先生", "女士"])
        d.t("【物流通知】").s("person_name", nm).t("%s您好，您的包裹（运单号%s）已到达" % (hon, g.tracking()))
        d.s("address", g.address(r.choice(["estate", "full_unit", "lane"]))).t("附近的驿站，取件码%d-%d-%04d，" % (
            r.randrange(1, 9), r.randrange(1, 9), r.randrange(10000)))
        d.t("如有问题请联系快递员").s("cn_mobile", g.mobile()).t("。")
        d.t(r.choice(["已签收，签收人：门卫。", "已签收，签收人：前台。", "已签收，签收人：本人。", ""]) + "\n")
        d.t(neg_sentence(g) + "\n")


def doc_md_table(g, d, n=6):
    d.t("## 客户回访名单\n\n| 序号 | 姓名 | 手机 | 邮箱 | 备注 |\n|---|---|---|---|---|\n")
    for i in range(n):
        d.t("| %d | " % (i + 1)).s("person_name", g.name(compound_p=0.2)).t(" | ").s("cn_mobile", g.mobile(g.r.choice(["plain", "+86", "dash"]))).t(" | ")
        d.s("email", g.email()).t(" | %s |\n" % g.r.choice(BENIGN))
    d.t("\n")


def doc_bank(g, d, n=4):
    r = g.r
    for _ in range(n):
        d.t("【交易提醒】您尾号%04d的储蓄卡于%s转出%s元，" % (r.randrange(10000), g.ts(), g.amount()))
        d.t("收款人").s("person_name", g.name()).t("，收款账号").s("bank_card", g.card(spaced=r.random() < 0.5)).t("。交易流水%s。\n" % g.order_no())
    d.t("信用卡还款：卡号").s("bank_card", g.card(intl=True)).t("，本期应还%s元，最低还款%s元。\n" % (g.amount(), g.amount()))
    d.t("失败交易：卡号%s（校验失败），请核对。\n" % g.card_bad())


def doc_vehicle(g, d, n=4):
    r = g.r
    for _ in range(n):
        d.t("报案人").s("person_name", g.name()).t("称，其驾驶的").s("cn_license_plate", g.plate()).t("（VIN：").s("vin", g.vin())
        d.t("，发动机号%s）于%s在" % (g.engine_no(), g.ts())).s("address", g.address(r.choice(["full", "no_prov"])))
        d.t("与另一车辆发生碰撞，保单号%s，预估损失%s元。\n" % (g.policy_no(), g.amount()))
    d.t("备注：车架号%s录入有误（校验位不符），已退回。\n" % g.vin_bad())


def doc_assets(g, d, n=5):
    r = g.r
    d.t("IT资产盘点清单（%s）\n\n" % date(2024, 9, 30).isoformat())
    for i in range(n):
        d.t("%d. 主机 srv-%s，管理IP " % (i + 1, g.md5()[:6])).s("ipv4", g.ipv4()).t("，IPv6 ").s("ipv6", g.ipv6())
        d.t("，网卡MAC ").s("mac_address", g.mac()).t("，系统版本 Windows 10.0.%d.%d，" % (r.randrange(17000, 22700), r.randrange(1000, 4000)))
        d.t("使用人：").s("person_name", g.name()).t("，固件%s。\n" % g.build4())
    d.t("5G 路由器 IMEI：").s("imei", g.imei()).t("，序列号 %s（非IMEI，校验不通过：%s）。\n\n" % (g.md5()[:12].upper(), g.imei_bad()))


def doc_travel(g, d, n=3):
    for _ in range(n):
        d.t("旅客").s("person_name", g.name()).t("持护照").s("cn_passport", g.passport()).t("办理值机，航班号MU%d，座位%d%s。\n" % (
            g.r.randrange(1000, 9999), g.r.randrange(1, 60), g.r.choice("ABCDEF")))
        d.t("同行人").s("person_name", g.name()).t("持往来港澳通行证").s("cn_hk_macau_permit", g.hk_permit()).t("。\n")
    d.t("台湾居民").s("person_name", g.name()).t("，台胞证号码").s("cn_taiwan_permit", g.tw_permit()).t("，入境日期%s。\n" % g.ts()[:10])
    d.t(neg_sentence(g) + "\n")


def doc_email(g, d):
    a, b = g.name(), g.name(compound_p=0.3)
    ea, eb = g.email(), g.email()
    d.t("From: ").s("person_name", a).t(" <").s("email", ea).t(">\nTo: ").s("person_name", b).t(" <").s("email", eb).t(">\n")
    d.t("Subject: 关于%s合作事宜\nDate: %s\n\n" % (g.company()[:2] + "项目", g.ts()))
    d.s("person_name", b).t("总，您好：\n\n附件为报价单（版本%s），合同金额%s元。我方开户信息如下：\n" % (g.version3(), g.amount()))
    co = g.company()
    d.t("户名：").s("company_name", co).t("\n账号：").s("bank_card", g.card()).t("\n税号：").s("cn_uscc", g.uscc()).t("\n")
    d.t("地址、电话：").s("address", g.address("building")).t(" ").s("cn_landline", g.landline("dash")).t("\n\n")
    d.t("如有疑问请联系我（手机 ").s("cn_mobile", g.mobile("dash")).t("）。\n\n")
    d.t(g.r.choice(["此致\n敬礼\n\n", "祝好\n\n", "谢谢！\n\n"])).s("person_name", a).t("\n%s\n\n" % g.ts()[:10])


def doc_json_snippet(g, d, n=3):
    for _ in range(n):
        d.t('{"order_id": "%s", "buyer": {"name": "' % g.order_no()).s("person_name", g.name()).t('", "phone": "')
        d.s("cn_mobile", g.mobile(g.r.choice(["plain", "+86"]))).t('", "id_card": "').s("cn_resident_id", g.rid()).t('"}, ')
        d.t('"ship_to": "').s("address", g.address()).t('", "amount": %s, "ts": %d}\n' % (g.amount(), g.r.randrange(1_700_000_000, 1_760_000_000)))


def doc_faker(g, d, n=5):
    fk = g.fk
    if not fk:
        return doc_express(g, d, n)
    for _ in range(n):
        nm = g.fk_name()
        d.t("申请人").s("person_name", nm).t("（身份证号").s("cn_resident_id", g.fk_ssn()).t("）就职于").s("company_name", fk.company())
        d.t("，联系手机").s("cn_mobile", g.fk_phone()).t("，邮箱").s("email", fk.email()).t("，登录IP ").s("ipv4", fk.ipv4()).t("。\n")
        d.t(neg_sentence(g) + "\n")


def doc_complaint(g, d):
    r = g.r
    nm = g.name()
    d.t("投诉工单 %s\n\n投诉人：" % g.serial15()).s("person_name", nm).t("\n")
    d.t("内容：本人于%s在贵公司门店购买%s一台（发票号%08d，金额%s元），使用%d天后故障。" % (
        g.ts()[:10], r.choice(PRODUCTS), r.randrange(10 ** 7), g.amount(), r.randrange(2, 60)))
    d.t("多次拨打%s无人接听。请尽快联系我，电话".replace("%s", g.hotline())).s("cn_mobile", g.mobile("mixed"))
    d.t("，或发邮件至").s("email", g.email()).t("。住址：").s("address", g.address(r.choice(["no_prov", "full", "lane"]))).t("。\n")
    d.t("处理人：").s("person_name", g.name()).t("（客服部），回访时间%s。\n\n" % g.ts())


def doc_hr(g, d, n=3):
    for _ in range(n):
        d.t("新员工").s("person_name", g.name(compound_p=0.2)).t("已于%s报到，入职" % g.ts()[:10]).s("company_name", g.company())
        d.t("，工号E%07d，紧急联系人" % g.r.randrange(10 ** 7)).s("person_name", g.name()).t("，电话").s("cn_mobile", g.mobile()).t("。\n")


def doc_names_ctx(g, d):
    """person names in many contexts, plus role words followed by non-names (traps)"""
    r = g.r
    n = g.name
    d.t("门诊病历摘要\n患者").s("person_name", n()).t("，%d岁，主诉头痛三天。主治医生：" % r.randrange(18, 80)).s("person_name", n()).t("。\n")
    d.t("本报告由").s("person_name", n()).t("审核，").s("person_name", n(compound_p=0.4)).t("复核。\n")
    d.t("@").s("person_name", n()).t(" 请今天下班前处理这个工单，谢谢！\n")
    d.t("抄送：").s("person_name", n()).t("、").s("person_name", n()).t("、").s("person_name", n(compound_p=0.5)).t("\n")
    d.t("致：").s("person_name", n()).t("先生\n")
    d.s("person_name", n()).t("（项目经理）说，下周一开始联调。\n")
    d.t("申请人（签字）：").s("person_name", n()).t("    日期：%s\n" % g.ts()[:10])
    d.t("\n以下为待补充字段：\n负责人：待定\n联系人：同上\n收件人：前台\n经办人：本人\n审批人：（空）\n")
    d.t("谢谢大家的配合，周末愉快！安全第一，平安回家。万一有问题，高兴地告诉大家：方案已通过，金额不变。\n")
    d.t("此致敬礼！\n\n")


def doc_syslog(g, d, n=14):
    r = g.r
    host = "gw-%s" % g.md5()[:4]
    for _ in range(n):
        t = (datetime(2024, 3, 1) + timedelta(seconds=r.randrange(20_000_000))).strftime("%b %d %H:%M:%S")
        k = r.random()
        if k < 0.25:
            d.t("%s %s dhcpd[%d]: DHCPACK on " % (t, host, r.randrange(100, 9999))).s("ipv4", g.ipv4()).t(" to ").s("mac_address", g.mac(":", False)).t(" via eth0\n")
        elif k < 0.45:
            d.t("%s %s sshd[%d]: Accepted publickey for deploy from " % (t, host, r.randrange(100, 9999))).s("ipv6", g.ipv6()).t(" port %d ssh2\n" % r.randrange(1024, 65535))
        elif k < 0.65:
            d.t("%s %s sshd[%d]: Failed password for invalid user admin from " % (t, host, r.randrange(100, 9999))).s("ipv4", g.ipv4()).t(" port %d ssh2\n" % r.randrange(1024, 65535))
        elif k < 0.8:
            d.t("%s %s kernel: Linux version 5.15.0-%d-generic, firmware %s, build %s\n" % (t, host, r.randrange(50, 130), g.build4(), g.version3()))
        else:
            d.t("%s %s app[%d]: sms sent to " % (t, host, r.randrange(100, 9999))).s("cn_mobile", g.mobile(r.choice(["+86", "plain", "0086"]))).t(" template=%s cost=%dms\n" % (g.md5()[:6], r.randrange(5, 500)))


def doc_org_table(g, d, n=5):
    d.t("## 供应商名录\n\n| 单位名称 | 统一社会信用代码 | 办公地址 | 电话 |\n|---|---|---|---|\n")
    for _ in range(n):
        d.t("| ").s("company_name", g.company()).t(" | ").s("cn_uscc", g.uscc()).t(" | ").s("address", g.address(g.r.choice(["full", "building", "no_prov"])))
        d.t(" | ").s("cn_landline", g.landline(g.r.choice(["dash", "plain"]))).t(" |\n")
    d.t("\n注：税号%s校验未通过，已联系对方更正。\n\n" % g.uscc_bad())


def doc_incident(g, d, n=4):
    r = g.r
    for _ in range(n):
        d.t("%s，辖区居民" % g.ts()[:16]).s("person_name", g.name()).t("（身份证号").s("cn_resident_id", g.rid()).t("）报警称，其位于")
        d.s("address", g.address(r.choice(["village", "estate", "lane", "full_unit"]))).t("的住处被盗，损失现金约%d元。" % r.randrange(500, 50000))
        d.t("报警电话").s("cn_mobile", g.mobile(r.choice(["plain", "space"]))).t("，出警民警%s号。\n" % "%06d" % r.randrange(10 ** 6))


DOCS = [
    ("k01.txt", "utf-8", [doc_chat, doc_chat, doc_express]),
    ("k02.log", "utf-8", [lambda g, d: doc_applog(g, d, 25)]),
    ("k03.log", "utf-8", [lambda g, d: doc_nginx(g, d, 20)]),
    ("k04.md", "utf-8", [doc_minutes, doc_md_table]),
    ("k05.txt", "utf-8", [doc_contract]),
    ("k06.txt", "gbk", [doc_express, doc_bank]),
    ("k07.txt", "utf-8", [doc_vehicle, doc_travel]),
    ("k08.md", "utf-8", [doc_assets, doc_md_table]),
    ("k09.txt", "utf-8", [doc_email, doc_complaint]),
    ("k10.log", "utf-8", [doc_json_snippet, lambda g, d: doc_applog(g, d, 10)]),
    ("k11.txt", "utf-8", [doc_faker]),
    ("k12.txt", "gb18030", [doc_complaint, doc_hr, doc_travel]),
    ("k13.txt", "utf-8", [doc_bank, doc_vehicle, doc_chat]),
    ("k14.md", "utf-8", [doc_minutes, doc_hr, doc_email]),
    ("k16.txt", "utf-8", [doc_names_ctx, doc_names_ctx]),
    ("k17.log", "utf-8", [doc_syslog]),
    ("k18.md", "utf-8", [doc_org_table]),
    ("k19.txt", "gbk", [doc_incident, doc_names_ctx]),
    ("k15.txt", "utf-8", [lambda g, d: [d.t(neg_sentence(g) + "\n") for _ in range(25)]]),
]


def build_docs(g, outdir):
    os.makedirs(outdir, exist_ok=True)
    truth = {}
    for fname, enc, parts in DOCS:
        d = Doc()
        for fn in parts:
            fn(g, d)
            if g.r.random() < 0.7:
                d.t(neg_sentence(g) + "\n")
        text, spans = d.render()
        while True:
            try:
                data = text.encode(enc)
                break
            except UnicodeEncodeError as e:  # pragma: no cover
                raise SystemExit("doc %s not encodable: %s" % (fname, e))
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
        truth[fname] = spans
    return truth


# --------------------------------------------------------------------------
# self-check: positives valid, negatives invalid
# --------------------------------------------------------------------------
def self_check(truth):
    bad = []
    chk = {
        "cn_resident_id": valid_rid, "bank_card": lambda v: luhn_ok(v.replace(" ", "")), "vin": valid_vin,
        "imei": luhn_ok, "cn_uscc": valid_uscc,
        "cn_mobile": lambda v: valid_mobile_digits(re.sub(r"^(\+86|0086|86)", "", re.sub(r"[ \-]", "", v))),
    }
    for f, spans in truth["docs"].items():
        for s in spans:
            if s[2] in chk and not chk[s[2]](s[3]):
                bad.append((f, s))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20240)
    ap.add_argument("--out", default="/tmp/heldout")
    ap.add_argument("--no-faker", action="store_true",
                    help="use only this script's generators, even where Faker is installed "
                         "(the same output on every machine)")
    a = ap.parse_args()
    if os.path.isdir(a.out) and os.listdir(a.out):
        # Replace an earlier output only; never empty a directory this script did not write.
        if not os.path.exists(os.path.join(a.out, "truth.json")):
            sys.exit("%s is not empty and holds no truth.json; refusing to overwrite it" % a.out)
        shutil.rmtree(a.out)
    g = Gen(a.seed, use_faker=not a.no_faker)
    truth = {"tables": build_tables(g, os.path.join(a.out, "tables")),
             "docs": build_docs(g, os.path.join(a.out, "docs"))}
    bad = self_check(truth)
    if bad:
        print("self-check failed:", bad[:5], file=sys.stderr)
        sys.exit(2)
    with open(os.path.join(a.out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
    nspan = sum(len(v) for v in truth["docs"].values())
    print("wrote %d tables, %d docs (%d spans) to %s" % (len(truth["tables"]), len(truth["docs"]), nspan, a.out))


if __name__ == "__main__":
    main()
