"""The defaults the product ships with (domain.md); loaded once by a data
migration, edited by administrators afterwards."""

# (category, subcategory pattern, department name); "" = the whole category.
DEFAULT_ATTRIBUTION = [
    ("供电质量", "频繁停电", "运检"),
    ("供电质量", "电压质量长时间异常", "运检"),
    ("供电质量", "供电频率长时间异常", "运检"),
    ("停送电", "故障抢修", "运检"),
    (None, "抢修*", "运检"),
    ("停送电", "计划停电", "调控"),
    ("停送电", "停送电信息公告", "调控"),
    ("电网建设", "", "基建"),
    ("营业", "", "营销"),
    ("服务", "", "营销"),
]

# code, name, polarity, weight, (A, B, C, D) cut-offs per level
_KPIS = [
    ("per_10k", "万户投诉量", "lower", 30, {"department": (0.05, 0.10, 0.20, 0.40), "unit": (0.20, 0.40, 0.80, 1.50)}),
    ("repeat_rate", "重复投诉率(%)", "lower", 15, (2, 5, 10, 15)),
    ("on_time_rate", "按时办结率(%)", "higher", 20, (99, 97, 95, 90)),
    ("avg_resolution_hours", "平均办结时长(小时)", "lower", 10, (24, 48, 72, 96)),
    ("satisfaction_rate", "回访满意率(%)", "higher", 15, (98, 95, 90, 85)),
    ("ack_rate", "2小时接单率(%)", "higher", 5, (99, 97, 95, 90)),
    ("rectification_on_time_rate", "整改按期完成率(%)", "higher", 5, (100, 90, 80, 70)),
]


def kpi_definitions():
    for order, (code, name, polarity, weight, bands) in enumerate(_KPIS):
        for level in ("department", "unit"):
            cut = bands[level] if isinstance(bands, dict) else bands
            yield {"level": level, "code": code, "name": name, "polarity": polarity, "weight": weight,
                   "band_a": cut[0], "band_b": cut[1], "band_c": cut[2], "band_d": cut[3], "sort_order": order}
