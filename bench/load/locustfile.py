"""Locust scenario: logged-in users of mixed roles browsing the portal (run by bench/load.py).

Each simulated user logs in once (its own session) as one of the demo accounts of
its role, then browses with 1–3 s of think time (LOAD_THINK): home, complaint analysis,
scorecard, a department page, incidents and one incident, drill-down order lists
(pages, filters), the appeals inbox, notices, and a CSV export now and then.

The ids to visit (month, city, department, incidents in each role's scope, categories,
台区) come from a JSON file prepared by bench/load.py (LOAD_PARAMS). Every response
time is also written to LOAD_SAMPLES at the end, so that the runner can compute exact
percentiles over pages only (logins and exports apart).
"""
import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task

PARAMS = json.loads(open(os.environ["LOAD_PARAMS"], encoding="utf-8").read())
PASSWORD = PARAMS["password"]
MONTH = PARAMS["month"]
SAMPLES: list[tuple[str, float, bool, float]] = []  # name, ms, ok, time the response ended


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    SAMPLES.append((name, response_time, exception is None, time.time()))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w", encoding="utf-8") as fh:
        json.dump(SAMPLES, fh)


class Portal(HttpUser):
    abstract = True
    # Think time between pages (LOAD_THINK="min,max" seconds; default 1-3 s, a brisk user).
    wait_time = between(*(float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(",")))
    role = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login (GET)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        resp = self.client.post("/accounts/login/", name="login (POST)", allow_redirects=False, data={
            "username": PARAMS["users"][self.role], "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else ""})
        if resp.status_code != 302:
            resp.failure(f"login as {self.role} answered {resp.status_code}")
        self.mine = PARAMS["scope"][self.role]

    def page(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code} {resp.error or ''}")
            elif "/accounts/login/" in resp.url:
                resp.failure("redirected to the login page")

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(3)
    def analysis(self):
        unit = random.choice(self.mine["units"]) if self.mine["units"] else None
        self.page(f"/analysis/?month={MONTH}" + (f"&unit={unit}" if unit else ""), "analysis")

    @task(3)
    def scorecard(self):
        self.page(f"/scorecard/?month={MONTH}", "scorecard")

    @task(2)
    def department(self):
        city, dept = random.choice(self.mine["departments"])
        self.page(f"/scorecard/unit/{city}/{dept}/?month={MONTH}", "department")

    @task(2)
    def incidents(self):
        self.page(f"/scorecard/incidents/?month={MONTH}", "incidents")

    @task(2)
    def incident(self):
        if self.mine["incidents"]:
            self.page(f"/scorecard/incidents/{random.choice(self.mine['incidents'])}/", "incident")

    @task(4)
    def orders(self):
        choice = random.random()
        if choice < 0.4:
            url = f"/analysis/orders/?month={MONTH}&page={random.randint(1, 20)}"
        elif choice < 0.6:
            url = f"/analysis/orders/?month={MONTH}&category={random.choice(PARAMS['categories'])}"
        elif choice < 0.8:
            url = f"/analysis/orders/?month={MONTH}&hour={random.randint(0, 23)}"
        else:
            url = f"/analysis/orders/?month={MONTH}&district={random.choice(self.mine['districts'])}"
        self.page(url, "orders (drill-down)")

    @task(1)
    def appeals(self):
        self.page("/scorecard/appeals/", "appeals")

    @task(1)
    def notices(self):
        self.page("/notices/", "notices")

    @task(1)
    def export(self):
        if random.random() < 0.5:
            self.page(f"/scorecard/?month={MONTH}&table=departments&export=csv", "export: scorecard CSV")
        else:
            district = random.choice(self.mine["districts"])
            self.page(f"/analysis/orders/?month={MONTH}&district={district}&_export=csv", "export: orders CSV")


class Analyst(Portal):
    weight = 2
    role = "analyst"


class Leader(Portal):
    weight = 1
    role = "leader"


class DeptHead(Portal):
    weight = 1
    role = "dept_head"


class Auditor(Portal):
    weight = 1
    role = "auditor"
