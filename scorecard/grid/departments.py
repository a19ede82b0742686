"""The five departments every city company is assessed on (domain.md), in the order the notices list them."""

# (code, name). Seeded by grid migration 0002, which keeps its own copy: a migration must not change
# when this list does.
DEPARTMENTS = [
    ("yx", "营销"),
    ("yj", "运检"),
    ("fz", "发展"),
    ("jj", "基建"),
    ("tk", "调控"),
]
