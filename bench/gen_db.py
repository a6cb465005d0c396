#!/usr/bin/env python3
"""Writes SQL that builds the database benchmark: TABLES tables of 20 columns and ROWS rows each,
in a PostgreSQL schema or a MariaDB database named anshu_bench.

usage: gen_db.py postgres|mysql [TABLES] [ROWS] | psql … / mariadb …

One template table is filled with generated rows (valid resident IDs, mobiles, cards, names,
addresses, e-mails, plus numbers, dates and codes that are not personal data), then copied into
every benchmark table, which keeps generation to seconds per thousand tables. Column names mix
Chinese, English and pinyin; some carry comments, as real schemas do.
"""
import random
import sys

ENGINE = sys.argv[1]
TABLES = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
ROWS = int(sys.argv[3]) if len(sys.argv) > 3 else 2500
rnd = random.Random(20261123)

REGIONS = ["110105", "310104", "440305", "510107", "330106", "420102", "320106", "610113"]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id():
    body = "%s%04d%02d%02d%03d" % (rnd.choice(REGIONS), rnd.randint(1950, 2004),
                                   rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 999))
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]


def luhn(prefix, length):
    digits = prefix + "".join(str(rnd.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟"]
ROADS = ["中山路", "人民路", "建设大道", "解放路", "长江路"]
DISTRICTS = ["北京市朝阳区", "上海市徐汇区", "深圳市南山区", "成都市武侯区", "杭州市西湖区"]

# (name, PostgreSQL type, MariaDB type, comment, generator)
COLUMNS = [
    ("id", "bigint", "BIGINT", None, None),
    ("xm", "text", "VARCHAR(20)", "姓名", lambda i: rnd.choice(SURNAMES) + rnd.choice(GIVEN)),
    ("sfzh", "varchar(18)", "CHAR(18)", "身份证号", lambda i: resident_id()),
    ("mobile", "bigint", "BIGINT", "手机号", lambda i: "1%s%09d" % (rnd.choice("3589"), rnd.randint(0, 10**9 - 1))),
    ("email", "text", "VARCHAR(64)", None, lambda i: "user%d@example.com" % i),
    ("住址", "text", "VARCHAR(128)", None,
     lambda i: "%s%s%d号%d栋%d室" % (rnd.choice(DISTRICTS), rnd.choice(ROADS), rnd.randint(1, 999), rnd.randint(1, 30), rnd.randint(101, 2505))),
    ("card_no", "varchar(19)", "VARCHAR(19)", "银行卡号", lambda i: luhn("622202", 19)),
    ("amount", "numeric(12,2)", "DECIMAL(12,2)", None, lambda i: "%d.%02d" % (rnd.randint(0, 99999), rnd.randint(0, 99))),
    ("qty", "int", "INT", None, lambda i: str(rnd.randint(1, 500))),
    ("created_at", "timestamp", "DATETIME", None, lambda i: "2024-%02d-%02d 10:00:00" % (rnd.randint(1, 12), rnd.randint(1, 28))),
    ("status", "text", "VARCHAR(16)", None, lambda i: rnd.choice(["paid", "open", "closed"])),
    ("order_no", "varchar(24)", "VARCHAR(24)", "订单号", lambda i: "DD%018d" % rnd.randint(0, 10**18)),
    ("sku", "text", "VARCHAR(32)", None, lambda i: "SKU-%06d" % rnd.randint(0, 999999)),
    ("build", "text", "VARCHAR(32)", None, lambda i: "%d.%d.%d" % (rnd.randint(1, 9), rnd.randint(0, 20), rnd.randint(0, 999))),
    ("hash", "char(32)", "CHAR(32)", None, lambda i: "%032x" % rnd.getrandbits(128)),
    ("score", "double precision", "DOUBLE", None, lambda i: "%.3f" % rnd.random()),
    ("remark", "text", "TEXT", "备注", lambda i: rnd.choice(["按时发货", "客户要求改地址", "联系电话%s" % ("139%08d" % rnd.randint(0, 10**8 - 1)), "无"])),
    ("ip", "varchar(15)", "VARCHAR(15)", None, lambda i: "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))),
    ("csrq", "date", "DATE", "出生日期", lambda i: "%04d-%02d-%02d" % (rnd.randint(1950, 2004), rnd.randint(1, 12), rnd.randint(1, 28))),
    ("dept", "text", "VARCHAR(32)", None, lambda i: rnd.choice(["销售部", "财务部", "研发中心", "客服"])),
]
assert len(COLUMNS) == 20


def lit(v):
    return "'" + v.replace("'", "''") + "'"


out = sys.stdout
pg = ENGINE == "postgres"
q = (lambda n: '"%s"' % n) if pg else (lambda n: "`%s`" % n)
if pg:
    out.write("SET client_min_messages = warning;\nDROP SCHEMA IF EXISTS anshu_bench CASCADE;\nCREATE SCHEMA anshu_bench;\n")
    defs = ", ".join("%s %s" % (q(c[0]), c[1]) for c in COLUMNS)
    out.write("CREATE TABLE anshu_bench.tmpl (%s);\n" % defs)
    for c in COLUMNS:
        if c[3]:
            out.write("COMMENT ON COLUMN anshu_bench.tmpl.%s IS %s;\n" % (q(c[0]), lit(c[3])))
else:
    out.write("DROP DATABASE IF EXISTS anshu_bench;\nCREATE DATABASE anshu_bench CHARACTER SET utf8mb4;\nUSE anshu_bench;\n")
    defs = ", ".join("%s %s%s%s" % (q(c[0]), c[2], " PRIMARY KEY" if c[0] == "id" else "",
                                      " COMMENT " + lit(c[3]) if c[3] else "") for c in COLUMNS)
    out.write("CREATE TABLE tmpl (%s);\n" % defs)
names = ", ".join(q(c[0]) for c in COLUMNS)
target = "anshu_bench.tmpl" if pg else "tmpl"
for start in range(0, ROWS, 500):
    rows = []
    for i in range(start, min(ROWS, start + 500)):
        rows.append("(" + ", ".join([str(i + 1)] + [lit(c[4](i)) for c in COLUMNS[1:]]) + ")")
    out.write("INSERT INTO %s (%s) VALUES %s;\n" % (target, names, ",\n".join(rows)))
for t in range(TABLES):
    if pg:
        out.write("CREATE TABLE anshu_bench.t%04d (LIKE anshu_bench.tmpl INCLUDING ALL); INSERT INTO anshu_bench.t%04d SELECT * FROM anshu_bench.tmpl;\n" % (t, t))
    else:
        out.write("CREATE TABLE t%04d LIKE tmpl; INSERT INTO t%04d SELECT * FROM tmpl;\n" % (t, t))
if pg:
    out.write("DROP TABLE anshu_bench.tmpl;\nANALYZE;\n")
else:
    out.write("DROP TABLE tmpl;\n")
    # Persistent statistics give every table a row estimate, as on a server that has run a while.
    for t in range(TABLES):
        out.write("ANALYZE TABLE t%04d;\n" % t)
