#!/usr/bin/env python3
"""Writes the bundled demo data set under examples/demo (deterministic; stdlib only).

The files are synthetic: every identifier is generated with a valid check digit where the
format has one, and no value belongs to a real person. Run from the repository root:
    python3 scripts/make_demo.py
"""
import gzip
import json
import os
import random

R = random.Random(20261122)
OUT = os.path.join(os.path.dirname(__file__), "..", "examples", "demo")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕鹏辉宇浩然欣怡子涵梓萱思远嘉豪"
REGIONS = ["110105", "310115", "440305", "330106", "510107", "420111", "320106", "370202", "500103", "610113"]
PLACES = [("北京市", "朝阳区"), ("上海市", "浦东新区"), ("广东省深圳市", "南山区"), ("浙江省杭州市", "西湖区"),
          ("四川省成都市", "武侯区"), ("湖北省武汉市", "洪山区"), ("江苏省南京市", "鼓楼区")]
ROADS = ["人民路", "解放路", "中山路", "建设大道", "科技园路", "滨江大道", "文三路"]
MOBILE_PREFIX = ["138", "139", "150", "151", "186", "187", "177", "199", "133", "166"]


def name():
    return R.choice(SURNAMES) + "".join(R.choice(GIVEN) for _ in range(R.choice([1, 2])))


def resident_id():
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = R.choice(REGIONS) + "%04d%02d%02d" % (R.randint(1950, 2005), R.randint(1, 12), R.randint(1, 28)) + "%03d" % R.randint(0, 999)
    return body + "10X98765432"[sum(int(d) * x for d, x in zip(body, w)) % 11]


def luhn_complete(prefix, length):
    body = prefix + "".join(str(R.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, d in enumerate(reversed(body)):
        v = int(d)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return body + str((10 - total % 10) % 10)


def mobile():
    return R.choice(MOBILE_PREFIX) + "%08d" % R.randint(0, 99999999)


def email(n):
    return "user%d%s@%s" % (n, R.choice(["", "x", "cn"]), R.choice(["example.com", "example.cn", "mail.example.org"]))


def address():
    p, d = R.choice(PLACES)
    return "%s%s%s%d号%d栋%d单元%d室" % (p, d, R.choice(ROADS), R.randint(1, 999), R.randint(1, 30), R.randint(1, 6), R.randint(101, 2808))


def order_no():
    return "2025%02d%02d%010d" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 9999999999))


def main():
    os.makedirs(OUT, exist_ok=True)
    # A customer table in GBK, as exported by many Chinese office tools.
    rows = ["客户编号,姓名,手机号,身份证号,电子邮箱,收货地址,订单号,金额,备注"]
    for i in range(300):
        memo = R.choice(["", "", "请周末配送", "备用电话%s" % mobile(), "发票寄%s" % email(i), "老客户"])
        rows.append(",".join([str(100000 + i), name(), mobile(), resident_id(), email(i), address(), order_no(),
                              "%.2f" % (R.random() * 5000), memo]))
    with open(os.path.join(OUT, "customers_gbk.csv"), "wb") as f:
        f.write(("\r\n".join(rows) + "\r\n").encode("gb18030"))

    # Payments as JSON Lines with nested fields and opaque names.
    with open(os.path.join(OUT, "payments.jsonl"), "w", encoding="utf-8") as f:
        for i in range(200):
            rec = {"txn": order_no(), "payer": {"f1": name(), "f2": luhn_complete(R.choice(["622202", "622848", "621700"]), 19)},
                   "device": {"imei": luhn_complete("86", 15), "ip": "10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))},
                   "amount": round(R.random() * 900, 2), "build": "3.%d.%d" % (R.randint(0, 20), R.randint(0, 99))}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # A service log with values inside free text.
    lines = []
    for i in range(400):
        t = "2025-03-%02d %02d:%02d:%02d" % (R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59))
        kind = R.randint(0, 4)
        if kind == 0:
            lines.append("%s INFO login ok user=%s ip=%d.%d.%d.%d" % (t, email(i), R.randint(1, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)))
        elif kind == 1:
            lines.append("%s WARN 客户%s来电，手机%s，要求修改收货地址为%s" % (t, name(), mobile(), address()))
        elif kind == 2:
            lines.append("%s INFO order %s paid, amount %.2f, version 3.10.%d" % (t, order_no(), R.random() * 100, R.randint(1, 99)))
        elif kind == 3:
            lines.append("%s ERROR 实名认证失败 id=%s card=%s" % (t, resident_id(), luhn_complete("622588", 16)))
        else:
            lines.append("%s DEBUG cache hit key=%032x" % (t, R.getrandbits(128)))
    with open(os.path.join(OUT, "service.log"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    # Meeting notes in Markdown; only a few values.
    notes = ["# 供应商对接会议纪要", "", "参会：采购部、法务部。", "",
             "- 联系人%s，手机 %s，邮箱 %s" % (name(), mobile(), email(7)),
             "- 合同编号 HT-2025-0042，金额 120 万元", "- 下次会议：2025-04-02 14:00", ""]
    with open(os.path.join(OUT, "meeting.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(notes))

    # A compressed export nobody remembers.
    with gzip.open(os.path.join(OUT, "old_export.csv.gz"), "wt", encoding="utf-8") as f:
        f.write("id\tcontact\tphone\n")
        for i in range(50):
            f.write("%d\t%s\t%s\n" % (i, name(), mobile()))

    # A product table with no personal data at all (look-alikes only).
    with open(os.path.join(OUT, "products.csv"), "w", encoding="utf-8") as f:
        f.write("sku,name,barcode,build,price\n")
        for i in range(100):
            f.write("SKU%06d,商品%d,%013d,%d.%d.%d,%.2f\n" % (i, i, R.randint(0, 10**13 - 1), R.randint(1, 9), R.randint(0, 9), R.randint(0, 999), R.random() * 100))


if __name__ == "__main__":
    main()
