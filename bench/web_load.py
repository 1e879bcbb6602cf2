"""Drive the household list (with a filter and a search), the household page and the review form
with concurrent clients of one or more users for a fixed time, and report per user and page
p50/p95/p99, requests per second and errors, with the load average at the start and the end.

The server is started separately (same machine), for example:
    DEBUG=0 HTTPS=0 SECRET_KEY=bench ALLOWED_HOSTS=127.0.0.1 DATABASE_URL=... \
        .venv/bin/gunicorn povertyplan.wsgi -w 3 -b 127.0.0.1:8001
then, a commune officer and a province viewer in the same run (10 clients each):
    .venv/bin/python bench/web_load.py --user bench.officer:10:10 --user bench.viewer:10 \
        --seconds 120 --think 1.0

``--user NAME[:CLIENTS[:CYCLE]]`` may be repeated: CLIENTS clients log in as NAME (default
``--clients``); CYCLE is the review cycle of the review form (default: the first "Rà soát" link
of a household page; none for a user who may not review, such as a viewer). Each client logs in
once, then loops over the pages in random order with household ids its user read from the list.
Requests are bounded by --seconds; the script stops by itself.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def login(base, user, password):
    op, jar = opener()
    page = op.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": user, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    req = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": base + "/"})
    op.open(req).read()
    return op


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def parse_user(spec: str, default_clients: int) -> tuple[str, int, str | None]:
    """``NAME[:CLIENTS[:CYCLE]]`` → (name, clients, cycle or None)."""
    name, _, rest = spec.partition(":")
    clients, _, cycle = rest.partition(":")
    return name, int(clients) if clients else default_clients, cycle or None


def user_pages(base, user, password, search, cycle):
    """The pages one user's clients request: name → function(random) → path."""
    first = login(base, user, password)
    listing = first.open(f"{base}/households/?household_class=poor").read().decode()
    ids = sorted(set(int(i) for i in re.findall(r'href="/households/(\d+)/"', listing)))
    if not ids:
        raise SystemExit(f"no households visible to {user}")
    cycles = (
        [cycle]
        if cycle
        else re.findall(
            r'href="/households/\d+/review/(\d+)/"',
            first.open(f"{base}/households/{ids[0]}/").read().decode(),
        )
    )
    q = urllib.parse.quote(search)
    pages = {
        "list": lambda rnd: f"/households/?household_class=poor&q={q}&page=1",
        "list_filter": lambda rnd: "/households/?indicator=2.2&sort=head_name",
        "household": lambda rnd: f"/households/{rnd.choice(ids)}/",
    }
    if cycles:
        pages["review_form"] = lambda rnd: f"/households/{rnd.choice(ids)}/review/{cycles[0]}/"
    return pages


def summarise(values: list[float], errors: int, wall: float) -> dict:
    if not values:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(values),
        "errors": errors,
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "rps": round(len(values) / wall, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8001")
    ap.add_argument(
        "--user",
        action="append",
        help="NAME[:CLIENTS[:CYCLE]], repeatable (default: canbo.vinhhao)",
    )
    ap.add_argument("--password", default="povertyplan-demo")
    ap.add_argument("--clients", type=int, default=20, help="clients of a --user without CLIENTS")
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--search", default="nguyen van")
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds between a client's requests (0: none)",
    )
    ap.add_argument("--cycle", help="review cycle of a --user that names none")
    ap.add_argument("--output")
    args = ap.parse_args()

    users = []
    for spec in args.user or ["canbo.vinhhao"]:
        name, clients, cycle = parse_user(spec, args.clients)
        pages = user_pages(args.base, name, args.password, args.search, cycle or args.cycle)
        users.append((name, clients, pages))

    results = {name: {page: [] for page in pages} for name, _, pages in users}
    errors = {name: {page: 0 for page in pages} for name, _, pages in users}
    lock = threading.Lock()
    load_start = os.getloadavg()
    deadline = time.monotonic() + args.seconds

    def client(user, pages, n):
        rnd = random.Random(f"{user}:{n}")
        op = login(args.base, user, args.password)
        names = list(pages)
        while time.monotonic() < deadline:
            name = names[rnd.randrange(len(names))]
            url = args.base + pages[name](rnd)
            start = time.perf_counter()
            try:
                with op.open(url, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    results[user][name].append(elapsed)
                else:
                    errors[user][name] += 1
            if args.think:
                time.sleep(rnd.uniform(0.5, 1.5) * args.think)

    threads = [
        threading.Thread(target=client, args=(name, pages, n))
        for name, clients, pages in users
        for n in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    report = {
        "clients": {name: clients for name, clients, _ in users},
        "think_s": args.think,
        "seconds": round(wall, 1),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "users": {},
    }
    for name, _, pages in users:
        report["users"][name] = {
            "pages": {p: summarise(results[name][p], errors[name][p], wall) for p in pages},
            "rps": round(sum(len(v) for v in results[name].values()) / wall, 1),
            "errors": sum(errors[name].values()),
        }
    total = sum(len(v) for per_user in results.values() for v in per_user.values())
    report["total_rps"] = round(total / wall, 1)
    report["total_errors"] = sum(sum(e.values()) for e in errors.values())
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
