"""Locust scenario: logged-in users of mixed roles browsing the portal (run by bench/load.py).

Each simulated user logs in once (its own session) as one of the demo accounts of
its role and waits until every user (LOAD_USERS) is in: logging in is the ramp-up, not
browsing. The moment the last one is in is recorded (the measured window starts there);
then each browses with 5–15 s of think time (LOAD_THINK), the first pages spread over
one mean think time: home, complaint analysis,
scorecard, a department page, incidents and one incident, drill-down order lists
(pages, filters), the appeals inbox, notices, and a CSV export now and then.

The ids to visit (month, city, department, incidents in each role's scope, categories,
台区) come from a JSON file prepared by bench/load.py (LOAD_PARAMS). Every response
time is also written to LOAD_SAMPLES at the end (with the time the request started and
the time the last user logged in), so that the runner can compute exact percentiles over
the measured window, pages only (logins and exports apart).
"""
import json
import os
import random
import re
import time

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task

PARAMS = json.loads(open(os.environ["LOAD_PARAMS"], encoding="utf-8").read())
PASSWORD = PARAMS["password"]
MONTH = PARAMS["month"]
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "5,15").split(","))
USERS = int(os.environ.get("LOAD_USERS", "0"))
MEASURE = float(os.environ.get("LOAD_MEASURE", "0"))  # seconds measured once all are in (0: until -t)
SAMPLES: list[tuple[str, float, bool, float, float]] = []  # name, ms, ok, start time, end time
ALL_IN = Event()  # set when the last simulated user has logged in
MARKS: dict[str, float] = {}
logged_in = 0


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    end = time.time()
    SAMPLES.append((name, response_time, exception is None, end - response_time / 1000, end))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w", encoding="utf-8") as fh:
        json.dump({"samples": SAMPLES, "all_in": MARKS.get("all_in")}, fh)


class Portal(HttpUser):
    abstract = True
    # Think time between pages (LOAD_THINK="min,max" seconds; default 5-15 s, a usual pace).
    wait_time = between(*THINK)
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
        global logged_in
        logged_in += 1
        if logged_in >= USERS and not ALL_IN.is_set():
            MARKS["all_in"] = time.time()
            ALL_IN.set()
            if MEASURE:  # end the run when the measured window is over (+2 s for requests in flight)
                gevent.spawn_later(MEASURE + 2, self.environment.runner.quit)
        ALL_IN.wait(timeout=300)
        # First pages spread evenly over one mean think time: the request rate of the steady state
        # from the start, instead of 50 users clicking at the same instant.
        gevent.sleep(random.uniform(0, sum(THINK) / 2))

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
