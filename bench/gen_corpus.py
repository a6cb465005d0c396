#!/usr/bin/env python3
"""Deterministic benchmark corpora for Anshu (Python standard library only).

Two modes:

  text (default)  mixed Chinese/English logs and prose with a realistic density of sensitive
                  values (mobiles, resident IDs with valid check characters, Luhn-valid bank
                  cards, emails, IPv4/IPv6, MACs, plates, VINs, addresses, names after role words,
                  company names) among far more non-sensitive text: timestamps, order and serial
                  numbers, hashes, UUIDs, versions, URLs, prose.
  csv             a table with columns id,name,mobile,id_number,email,address,amount,memo, for
                  the memory test.

Usage:
  python3 bench/gen_corpus.py --size 200M --out bench-data/corpus.txt
  python3 bench/gen_corpus.py --csv --size 2G --out bench-data/big.csv
  python3 bench/gen_corpus.py --slice 1M --from bench-data/corpus.txt --out bench-data/slice.txt

The same --seed and --size always give the same bytes. Files are cut at a line boundary, at most
one line short of the requested size.
"""

import argparse
import random
import sys

# --------------------------------------------------------------------------------------------
# Reference data (small, embedded so that the script needs nothing but the standard library).

# GB/T 2260 county-level codes that exist in crates/anshu-detect/data/regions.tsv.
REGION_CODES = [
    "110101", "110105", "310104", "310115", "440305", "440106", "330106", "320102", "510107",
    "420106", "500228", "370202", "210102", "610113", "350203", "430104", "120101", "340104",
    "410105", "530102", "230103", "130102", "140105", "150102", "450103", "460106", "520102",
    "620102", "630102", "640104", "650102", "360102", "220102",
]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤") + ["欧阳", "司马", "上官", "诸葛"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红娥玲华飞鑫波宇浩凯健俊帆帅旭宁龙林欣佳怡婷雪琳晨辰轩睿博文思雨涵梓萱子墨一诺嘉悦晓诗晴")
ROLES = ["客户", "车主", "旅客", "收件人", "寄件人", "收货人", "联系人", "患者", "用户", "会员", "员工",
         "申请人", "持卡人", "户名", "法定代表人", "负责人", "经办人", "投保人", "借款人", "业主", "司机",
         "姓名", "购买人", "当事人", "老师", "医生", "代理人", "收款人", "付款人", "操作员", "入住人"]

# (province, city, [districts])
PLACES = [
    ("北京市", "", ["朝阳区", "海淀区", "东城区", "西城区", "丰台区"]),
    ("上海市", "", ["浦东新区", "徐汇区", "静安区", "黄浦区", "闵行区"]),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区", "龙岗区"]),
    ("广东省", "广州市", ["天河区", "越秀区", "海珠区", "白云区"]),
    ("浙江省", "杭州市", ["西湖区", "上城区", "拱墅区", "余杭区"]),
    ("江苏省", "南京市", ["玄武区", "鼓楼区", "建邺区", "江宁区"]),
    ("四川省", "成都市", ["锦江区", "武侯区", "成华区", "金牛区"]),
    ("湖北省", "武汉市", ["江汉区", "武昌区", "洪山区", "江岸区"]),
    ("云南省", "昆明市", ["五华区", "盘龙区", "官渡区", "宜良县"]),
    ("山东省", "青岛市", ["市南区", "市北区", "黄岛区", "崂山区"]),
    ("重庆市", "", ["渝中区", "江北区", "南岸区", "沙坪坝区"]),
    ("福建省", "厦门市", ["思明区", "湖里区", "集美区", "海沧区"]),
]
ROAD_NAMES = ["幸福", "人民", "中山", "解放", "建设", "长江", "黄河", "和平", "文化", "科技", "学院", "光明",
              "东风", "新华", "滨江", "湖滨", "青年", "朝阳", "胜利", "友谊"]
ROAD_SUFFIX = ["路", "大道", "街", "大街", "巷"]
CITY_PREFIX = ["北京", "上海", "深圳", "广州", "杭州", "南京", "成都", "武汉", "苏州", "西安", "天津", "重庆",
               "长沙", "郑州", "青岛", "厦门", "宁波", "合肥", "昆明", "大连"]
ORG_WORDS = ["华信", "恒达", "鼎盛", "瑞丰", "启明", "星辰", "云帆", "远航", "博远", "嘉禾", "正泰", "新元",
             "汇通", "安泰", "盛世", "中科", "创新", "智联", "数据", "网络", "科技", "物流", "贸易", "医药",
             "电子", "信息", "建设", "投资", "餐饮", "文化"]
ORG_SUFFIX = ["有限公司", "股份有限公司", "有限责任公司", "科技有限公司", "集团有限公司", "研究院", "事务所"]
PLATE_PROV = list("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青川宁琼")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_WMI = ["LSV", "LFV", "LGB", "LBV", "LVS", "LSG", "WBA", "WDD", "1HG", "JTD", "LHG", "LDC"]
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "corp.com.cn",
                 "example.org", "alibaba-inc.com", "company.cn", "mail.tsinghua.edu.cn", "foxmail.com"]
PINYIN = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun",
          "ma", "zhu", "hu", "guo", "he", "lin", "luo", "zheng", "wei", "jing", "ming", "hua", "xiao",
          "yu", "tian", "hao", "jun", "lei", "fang", "na", "min", "tao", "qiang", "yan", "ting"]
EN_FIRST = ["james", "mary", "john", "linda", "david", "susan", "kevin", "emma", "lucas", "olivia"]

ZH_PROSE = [
    "系统将于今晚二十三点进行例行维护，届时部分服务可能短暂不可用。",
    "本季度营业收入同比增长百分之十二，主要得益于线上渠道的持续拓展。",
    "请各部门在本周五之前提交年度预算草案，财务部将统一汇总审核。",
    "会议讨论了新产品的上线计划，并确定了下一阶段的测试范围。",
    "为提升用户体验，我们对搜索功能进行了全面优化，响应速度明显提升。",
    "数据中心的备份任务已经完成，所有校验均已通过，未发现异常。",
    "根据相关规定，个人信息的收集和使用应当遵循合法、正当、必要的原则。",
    "近期气温变化较大，请大家注意增减衣物，预防感冒。",
    "该项目采用分布式架构，支持水平扩展，能够满足高峰期的访问需求。",
    "培训课程包括数据安全基础、访问控制策略以及应急响应流程三个部分。",
    "物流中心今日共处理包裹约三万件，整体时效较上周有所提升。",
    "本次更新修复了若干已知问题，并改进了日志记录的可读性。",
    "客服团队收到的咨询主要集中在退换货政策和配送时效两个方面。",
    "我们建议在生产环境中开启审计日志，并定期检查权限配置。",
    "北京的秋天天高云淡，是一年中最适合出游的季节。",
    "上海分部的同事将在下周参加行业交流会，分享数据治理的实践经验。",
    "深圳研发中心新招聘了二十名工程师，主要负责平台的性能优化。",
    "季度报告显示，华东地区的市场份额继续保持领先。",
    "请注意，测试环境的数据会在每周一凌晨自动清理。",
    "经过三轮评审，方案最终确定采用增量同步的方式迁移历史数据。",
]
EN_PROSE = [
    "The nightly batch finished without errors and all checksums matched the source tables.",
    "Please review the attached proposal before Friday so that we can finalise the budget.",
    "Latency at the 99th percentile improved after the cache was moved closer to the workers.",
    "Customers in the northern region reported slower deliveries during the holiday week.",
    "We recommend rotating access keys every ninety days and auditing unused accounts.",
    "The migration plan covers schema changes, backfill jobs and a rollback procedure.",
    "Quarterly revenue grew twelve percent, driven mostly by the subscription business.",
    "This release fixes a memory leak in the exporter and improves log readability.",
    "The support team handled about four thousand tickets, most of them about refunds.",
    "Data retention for analytics events is thirty days unless a legal hold applies.",
    "Engineers should run the full test suite before merging changes to the main branch.",
    "The conference agenda includes talks on privacy engineering and data classification.",
]
LEVELS = ["INFO", "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR"]
SERVICES = ["order-svc", "pay-gw", "user-center", "risk-engine", "notify", "search-api", "crm-sync"]
PATHS = ["/api/v1/orders", "/api/v1/users/profile", "/api/v2/payments/confirm", "/static/js/app",
         "/health", "/api/v1/search", "/api/v1/cart/items", "/login", "/api/v1/address/list"]
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
       "okhttp/4.12.0", "curl/8.5.0", "python-requests/2.31.0"]
MEMOS = ["客户要求周末配送", "已电话确认", "发票随货寄出", "老客户，优先处理", "请勿放快递柜", "无", "",
         "address verified", "gift wrap", "退货后重新下单", "需要开具增值税专用发票", "联系不上，稍后重试"]

# --------------------------------------------------------------------------------------------
# Value generators (valid where the type has a check).


def luhn_complete(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        v = ord(ch) - 48
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return body + str((10 - total % 10) % 10)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        r = self.r
        n = 4096
        self.mobiles = [self._mobile() for _ in range(n)]
        self.ids = [self._resident_id() for _ in range(n)]
        self.cards = [self._card() for _ in range(n)]
        self.emails = [self._email() for _ in range(n)]
        self.ipv4s = [self._ipv4() for _ in range(n)]
        self.ipv6s = [self._ipv6() for _ in range(n)]
        self.macs = [self._mac() for _ in range(n)]
        self.plates = [self._plate() for _ in range(n)]
        self.vins = [self._vin() for _ in range(n)]
        self.addresses = [self._address() for _ in range(n)]
        self.names = [r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))
                      for _ in range(n)]
        self.companies = [r.choice(CITY_PREFIX) + r.choice(ORG_WORDS) + r.choice(ORG_WORDS) + r.choice(ORG_SUFFIX)
                          for _ in range(n)]
        self.landlines = [self._landline() for _ in range(n)]
        self.hashes = ["%064x" % r.getrandbits(256) for _ in range(n)]
        self.uuids = [self._uuid() for _ in range(n)]
        self.t = 1_735_689_600  # 2025-01-01 00:00:00 UTC, advanced per line

    def _mobile(self):
        r = self.r
        seg = r.choice(["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                        "152", "155", "157", "158", "159", "166", "176", "177", "180", "181", "185",
                        "186", "187", "188", "189", "191", "198", "199"])
        rest = "%08d" % r.randrange(10 ** 8)
        style = r.random()
        if style < 0.8:
            return seg + rest
        if style < 0.9:
            return "+86 %s %s %s" % (seg, rest[:4], rest[4:])
        return "%s-%s-%s" % (seg, rest[:4], rest[4:])

    def _resident_id(self):
        r = self.r
        y = r.randrange(1950, 2006)
        m = r.randrange(1, 13)
        d = r.randrange(1, 29)
        body = "%s%04d%02d%02d%03d" % (r.choice(REGION_CODES), y, m, d, r.randrange(1000))
        w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        s = sum((ord(c) - 48) * k for c, k in zip(body, w))
        return body + "10X98765432"[s % 11]

    def _card(self):
        r = self.r
        kind = r.random()
        if kind < 0.6:  # UnionPay debit, 16 or 19 digits
            n = r.choice((16, 19))
            body = r.choice(["622202", "622848", "621700", "622588", "623668", "621483"])
        elif kind < 0.85:  # Visa
            n, body = 16, "4" + str(r.randrange(10 ** 4, 10 ** 5))
        else:  # Mastercard
            n, body = 16, str(r.randrange(51, 56)) + str(r.randrange(10 ** 3, 10 ** 4))
        body += "".join(str(r.randrange(10)) for _ in range(n - 1 - len(body)))
        card = luhn_complete(body)
        if r.random() < 0.15 and n == 16:
            card = " ".join(card[i:i + 4] for i in range(0, 16, 4))
        return card

    def _email(self):
        r = self.r
        u = r.random()
        if u < 0.4:
            local = r.choice(PINYIN) + r.choice(PINYIN) + str(r.randrange(1, 9999))
        elif u < 0.7:
            local = r.choice(EN_FIRST) + "." + r.choice(PINYIN)
        else:
            local = str(r.randrange(10 ** 5, 10 ** 10))  # QQ-number style
        return local + "@" + r.choice(EMAIL_DOMAINS)

    def _ipv4(self):
        r = self.r
        a = r.choice([10, 172, 192, r.randrange(1, 224), r.randrange(1, 224)])
        return "%d.%d.%d.%d" % (a, r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def _ipv6(self):
        r = self.r
        groups = ["%x" % r.randrange(65536) for _ in range(8)]
        if r.random() < 0.5:
            return "2408:" + ":".join(groups[1:4]) + "::" + groups[7]
        if r.random() < 0.3:
            return "fe80::" + ":".join(groups[4:8])
        return ":".join(groups)

    def _mac(self):
        r = self.r
        b = ["%02X" % r.randrange(256) for _ in range(6)]
        return (":" if r.random() < 0.6 else "-").join(b)

    def _plate(self):
        r = self.r
        while True:
            body = "".join(r.choice(PLATE_LETTERS[:10] + "0123456789" * 2) for _ in range(5))
            if sum(c.isdigit() for c in body) >= 2:
                return r.choice(PLATE_PROV) + r.choice(PLATE_LETTERS) + body

    def _vin(self):
        r = self.r
        vals = {c: (ord(c) - 48 if c.isdigit() else None) for c in VIN_CHARS}
        letters = "ABCDEFGH", "JKLMN", "P", "R", "STUVWXYZ"
        base = {"ABCDEFGH": 1, "JKLMN": 1, "P": 7, "R": 9, "STUVWXYZ": 2}
        for grp in letters:
            for i, c in enumerate(grp):
                vals[c] = base[grp] + (i if grp not in ("P", "R") else 0)
        w = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
        s = (r.choice(VIN_WMI) + "".join(r.choice(VIN_CHARS) for _ in range(5)) + "0"
             + r.choice("KLMNPRSTVWXY123456789") + r.choice(VIN_CHARS) + "%06d" % r.randrange(10 ** 6))
        total = sum(vals[c] * k for c, k in zip(s, w))
        chk = "X" if total % 11 == 10 else str(total % 11)
        return s[:8] + chk + s[9:]

    def _address(self):
        r = self.r
        prov, city, dists = r.choice(PLACES)
        a = prov + city + r.choice(dists) + r.choice(ROAD_NAMES) + r.choice(ROAD_SUFFIX)
        a += "%d号" % r.randrange(1, 999)
        if r.random() < 0.7:
            a += "%d栋%d单元%d室" % (r.randrange(1, 40), r.randrange(1, 6), r.randrange(101, 3301))
        return a

    def _landline(self):
        r = self.r
        area = r.choice(["010", "021", "020", "027", "0755", "0571", "0871", "0532"])
        local = str(r.randrange(2, 10)) + "%07d" % r.randrange(10 ** 7)
        if len(area) == 4 and r.random() < 0.5:
            local = local[:7]
        return area + "-" + local

    def _uuid(self):
        h = "%032x" % self.r.getrandbits(128)
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    # ---- shared pieces ----
    def ts(self):
        self.t += self.r.randrange(0, 3)
        t = self.t
        days = t // 86400 - 20089  # days since 2025-01-01
        month = 1 + (days // 28) % 12
        day = 1 + days % 28
        s = t % 86400
        return "2025-%02d-%02d %02d:%02d:%02d" % (month, day, s // 3600, s // 60 % 60, s % 60)

    def order_no(self):
        # 18-20 digit order/serial numbers: look like IDs and cards, almost all fail the checks.
        return "%d%012d" % (2024 + self.r.randrange(2), self.r.randrange(10 ** 12)) + str(self.r.randrange(10, 99999))

    # ---- line kinds ----
    def line(self):
        r = self.r
        c = self.r.choice
        k = r.random()
        if k < 0.20:  # plain application log, no PII
            return "%s.%03d %s [%s] %s %s/%s status=%d latency=%dms trace=%s\n" % (
                self.ts(), r.randrange(1000), c(LEVELS), c(SERVICES), c(("GET", "POST", "PUT")),
                c(PATHS), r.randrange(10 ** 6), c((200, 200, 200, 201, 304, 404, 500)),
                r.randrange(1, 900), c(self.hashes)[:32])
        if k < 0.30:  # nginx access log (IP each line)
            ip = c(self.ipv4s) if r.random() < 0.9 else c(self.ipv6s)
            return '%s - - [%s +0800] "GET %s.%s.js HTTP/1.1" %d %d "-" "%s"\n' % (
                ip, self.ts(), c(PATHS), c(self.hashes)[:8], c((200, 200, 304, 404)),
                r.randrange(200, 90000), c(UAS))
        if k < 0.42:  # Chinese business log, look-alikes only
            return "[%s] 订单%s已支付，金额¥%d.%02d，流水号%s，版本%d.%d.%d，耗时%dms\n" % (
                self.ts(), self.order_no(), r.randrange(1, 20000), r.randrange(100), self.order_no(),
                r.randrange(1, 5), r.randrange(20), r.randrange(100), r.randrange(1, 3000))
        if k < 0.60:  # Chinese prose
            return "".join(c(ZH_PROSE) for _ in range(r.randrange(1, 4))) + "\n"
        if k < 0.68:  # English prose
            return " ".join(c(EN_PROSE) for _ in range(r.randrange(1, 4))) + "\n"
        if k < 0.72:  # debug / hashes / uuids
            return "%s DEBUG cache key=%s etag=\"%s\" req=%s build=%d.%d.%d-%s\n" % (
                self.ts(), c(self.hashes), c(self.hashes)[:40], c(self.uuids), r.randrange(10),
                r.randrange(30), r.randrange(300), c(self.hashes)[:7])
        # ---- lines with sensitive values (~28%) ----
        if k < 0.77:
            return "[%s] WARN payment failed card=%s uid=%d phone=%s user=%s ip=%s\n" % (
                self.ts(), c(self.cards), r.randrange(10 ** 6), c(self.mobiles), c(self.emails), c(self.ipv4s))
        if k < 0.83:
            return "%s（身份证号%s，手机%s）于%s在%s办理了开户业务。\n" % (
                c(ROLES) + c(self.names), c(self.ids), c(self.mobiles), self.ts()[:10], c(self.addresses))
        if k < 0.86:
            return "车主%s驾驶%s（车架号%s）于%s驶入停车场，联系电话%s。\n" % (
                c(self.names), c(self.plates), c(self.vins), self.ts(), c(self.mobiles))
        if k < 0.90:
            return "%s：%s，%s，电话%s，地址%s\n" % (
                c(ROLES), c(self.names), c(self.companies), c(self.landlines), c(self.addresses))
        if k < 0.93:
            return '{"ts":"%s","event":"register","mobile":"%s","email":"%s","ip":"%s","device":"%s"}\n' % (
                self.ts(), c(self.mobiles), c(self.emails), c(self.ipv4s), c(self.uuids))
        if k < 0.95:
            return "%s INFO dhcp lease mac=%s ipv4=%s ipv6=%s host=ws-%d\n" % (
                self.ts(), c(self.macs), c(self.ipv4s), c(self.ipv6s), r.randrange(1000))
        if k < 0.97:
            return "Contact %s at %s or %s for the %s account; card ending %s.\n" % (
                c(EN_FIRST).title(), c(self.emails), c(self.mobiles), c(CITY_PREFIX), c(self.cards)[-4:])
        if k < 0.99:
            return "%s 收款人%s，开户行%s，卡号%s，%s\n" % (
                self.ts(), c(self.names), c(self.companies), c(self.cards), c(ZH_PROSE))
        return "任职于%s的%s反映%s\n" % (c(self.companies), c(self.names), c(ZH_PROSE))

    def csv_row(self, i):
        r = self.r
        c = r.choice
        memo = c(MEMOS)
        x = r.random()
        if x < 0.05:
            memo = "备用电话" + c(self.mobiles)
        elif x < 0.08:
            memo = "改寄" + c(self.addresses)
        if "," in memo:
            memo = '"%s"' % memo
        return "%d,%s,%s,%s,%s,%s,%d.%02d,%s\n" % (
            i, c(self.names), c(self.mobiles), c(self.ids), c(self.emails), c(self.addresses),
            r.randrange(1, 50000), r.randrange(100), memo)


def parse_size(s):
    s = s.strip().upper().rstrip("B").rstrip("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if s and s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


def write_limited(out, blocks, size):
    """Writes encoded blocks until `size` bytes, cutting the last one at a newline."""
    written = 0
    for block in blocks:
        data = block.encode("utf-8")
        if written + len(data) > size:
            cut = data.rfind(b"\n", 0, size - written)
            if cut >= 0:
                out.write(data[:cut + 1])
                written += cut + 1
            break
        out.write(data)
        written += len(data)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", required=True, help="bytes, or with a K/M/G suffix (binary)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20250126)
    ap.add_argument("--csv", action="store_true", help="write the CSV table instead of mixed text")
    ap.add_argument("--slice", action="store_true", help="copy the first SIZE bytes of --from, line-aligned")
    ap.add_argument("--from", dest="src")
    a = ap.parse_args()
    size = parse_size(a.size)

    with open(a.out, "wb") as out:
        if a.slice:
            with open(a.src, "rb") as f:
                data = f.read(size)
            cut = data.rfind(b"\n")
            out.write(data[:cut + 1])
            written = cut + 1
        elif a.csv:
            g = Gen(a.seed)

            def blocks():
                yield "id,name,mobile,id_number,email,address,amount,memo\n"
                i = 1
                while True:
                    rows = [g.csv_row(j) for j in range(i, i + 20000)]
                    i += 20000
                    yield "".join(rows)

            written = write_limited(out, blocks(), size)
        else:
            g = Gen(a.seed)

            def blocks():
                while True:
                    yield "".join([g.line() for _ in range(20000)])

            written = write_limited(out, blocks(), size)
    print("wrote %s: %d bytes" % (a.out, written), file=sys.stderr)


if __name__ == "__main__":
    main()
