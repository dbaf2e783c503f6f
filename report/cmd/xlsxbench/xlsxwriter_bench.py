"""Writes the xlsxbench workload with XlsxWriter in constant_memory mode.

Same rows as xlsxbench's Go writer (rowValues there): 10 text columns,
2 dates, 3 money columns; bold header, widths 16, frozen header.
Usage: xlsxwriter_bench.py ROWS OUT.xlsx
"""
import datetime
import sys

import xlsxwriter

RULES = ["aws.ebs.unattached", "aws.ec2.idle", "aws.eip.unassociated", "m365.ghost-license"]
CATS = ["idle-infrastructure", "idle-infrastructure", "idle-infrastructure", "ghost-license"]
PROVS = ["aws", "gcp", "m365"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-west-3", "ap-southeast-2"]
CONF = ["high", "medium", "low"]
CLASSES = ["OpEx", "Review", "Prepaid-amortised"]
HEADER = ["ID", "Rule", "Category", "Provider", "Account", "Region", "Resource ID", "Owner",
          "Confidence", "Class", "First seen", "Effective from", "Monthly cost", "Monthly savings", "Annual savings"]
EPOCH = datetime.datetime(2026, 1, 1)


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("Findings")
    bold = wb.add_format({"bold": True, "num_format": "@"})
    text = wb.add_format({"num_format": "@"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": '"$"#,##0.00;-"$"#,##0.00'})
    ws.set_column(0, 14, 16)
    ws.freeze_panes(1, 0)
    for c, h in enumerate(HEADER):
        ws.write_string(0, c, h, bold)
    for i in range(rows):
        r = i + 1
        ws.write_string(r, 0, "GA-%012x" % i, text)
        ws.write_string(r, 1, RULES[i % 4], text)
        ws.write_string(r, 2, CATS[i % 4], text)
        ws.write_string(r, 3, PROVS[i % 3], text)
        ws.write_string(r, 4, "%012d" % (100000000000 + i % 50), text)
        ws.write_string(r, 5, REGIONS[i % 5], text)
        ws.write_string(r, 6, "vol-%017x" % i, text)
        ws.write_string(r, 7, "owner%d@example.com" % (i % 1000), text)
        ws.write_string(r, 8, CONF[i % 3], text)
        ws.write_string(r, 9, CLASSES[i % 3], text)
        ws.write_datetime(r, 10, EPOCH + datetime.timedelta(days=i % 365), day)
        ws.write_datetime(r, 11, EPOCH + datetime.timedelta(days=(i % 365) + 30), day)
        cost = (i % 1000) + 0.25
        ws.write_number(r, 12, cost, money)
        ws.write_number(r, 13, cost / 2, money)
        ws.write_number(r, 14, cost * 6, money)
    wb.close()


if __name__ == "__main__":
    main()
