"""Benchmark: the unit picker's data endpoint (/analysis/units.json) on a 600-unit province.

    python bench/pickers.py [--units 600] [--repeat 20] [--json]

Builds a throwaway SQLite database under a temporary directory (migrated, then 12 cities × 7 counties
× 6 stations + their counties and cities, every county with a 黄土供电所), signs in an analyst and a
city leader through the test client and times the whole request (middleware, session, the two
queries, JSON encoding): best and median of ``--repeat`` runs. The target (issue #14) is < 100 ms.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ["SCORECARD_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-pickers-")
(Path(os.environ["SCORECARD_VAR_DIR"]) / "staticfiles").mkdir()  # WhiteNoise warns without it
os.environ.pop("DATABASE_URL", None)  # its own embedded database: nothing to clean up in a real one

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from scorecard.accounts.models import User  # noqa: E402
from scorecard.grid.models import OrgUnit  # noqa: E402


def build(units: int) -> OrgUnit:
    top = OrgUnit.objects.create(name="基准省公司", level="province")
    made, c = 0, 0
    while made < units:
        city = OrgUnit.objects.create(name=f"国网{c}市供电公司", level="city", parent=top)
        made += 1
        for k in range(7):
            if made >= units:
                break
            county = OrgUnit.objects.create(name=f"{c}市{k}县供电公司", level="county", parent=city)
            made += 1
            for s in range(6):
                if made >= units:
                    break
                OrgUnit.objects.create(name="黄土供电所" if s == 0 else f"{c}-{k}-{s}供电所", level="station",
                                       parent=county)
                made += 1
        c += 1
    return OrgUnit.objects.filter(level="city").order_by("pk").first()


def timed(client, repeat):
    times, size, n = [], 0, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        resp = client.get("/analysis/units.json")
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200, resp.status_code
        size, n = len(resp.content), len(resp.json()["units"])
    return {"best_ms": round(min(times) * 1000, 1), "median_ms": round(statistics.median(times) * 1000, 1),
            "units": n, "bytes": size}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    first_city = build(args.units)
    results = {}
    for role, extra in (("analyst", {}), ("leader", {"org_unit": first_city})):
        user = User.objects.create_user(f"bench-{role}", password="bench-pw-1", role=role, **extra)
        client = Client()
        client.force_login(user)
        client.get("/analysis/units.json")  # warm-up: connection, URL conf, templates of the middleware
        results[role] = timed(client, args.repeat)
    if args.json:
        print(json.dumps({"bench": "pickers", **results}))
    else:
        for role, r in results.items():
            print(f"{role:8} {r['units']:4} units  {r['bytes']:6} bytes  best {r['best_ms']} ms  median {r['median_ms']} ms")


if __name__ == "__main__":
    main()
