"""The seed taxonomy of domain.md. Data, not code: the migration loads it once
and administrators edit it in the admin afterwards."""

# (name, counts as complaint, SLA in working days)
BUSINESS_TYPES = [
    ("投诉", True, 4),
    ("举报", False, 9),
    ("意见", False, 4),
    ("建议", False, 4),
    ("咨询", False, 4),
    ("表扬", False, 4),
    ("服务申请", False, 4),
    ("催办", False, 4),
    ("故障报修", False, 4),
]

# category -> {subcategory: [details]}
CATEGORIES = {
    "供电质量": {
        "频繁停电": [],
        "电压质量长时间异常": ["过电压", "低电压"],
        "供电频率长时间异常": [],
    },
    "营业": {
        "业扩报装": [],
        "用电变更": [],
        "抄表催费": [],
        "电费电价": [],
        "电能计量": [],
        "业务收费": [],
    },
    "服务": {
        "服务不规范": [],
        "服务态度": [],
        "营业厅服务": [],
    },
    "停送电": {
        "停送电信息公告": [],
        "计划停电": [],
        "故障抢修": ["抢修超时限", "抢修质量"],
    },
    "电网建设": {
        "施工影响": [],
        "线路迁改": [],
        "工程质量": [],
    },
}
