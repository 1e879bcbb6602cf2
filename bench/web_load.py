"""Drive the household list (with a filter and a search), the household page and the review form
with N concurrent clients for a fixed time, and report p50/p95/p99, throughput and errors.

The server is started separately (same machine), for example:
    DEBUG=0 HTTPS=0 SECRET_KEY=bench ALLOWED_HOSTS=127.0.0.1 DATABASE_URL=... \
        .venv/bin/gunicorn povertyplan.wsgi -w 3 -b 127.0.0.1:8001
then:
    .venv/bin/python bench/web_load.py --base http://127.0.0.1:8001 --user canbo.vinhhao \
        --clients 20 --seconds 120

Each client logs in once, then loops over the three pages with household ids it read from the
list. Requests are bounded by --seconds; the script stops by itself.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8001")
    ap.add_argument("--user", default="canbo.vinhhao")
    ap.add_argument("--password", default="povertyplan-demo")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--search", default="nguyen van")
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds between a client's requests (0: none)",
    )
    ap.add_argument("--cycle", help="review cycle id for the review form (default: first open)")
    ap.add_argument("--output")
    args = ap.parse_args()

    first = login(args.base, args.user, args.password)
    listing = first.open(f"{args.base}/households/?household_class=poor").read().decode()
    ids = sorted(set(int(i) for i in re.findall(r'href="/households/(\d+)/"', listing)))
    if not ids:
        raise SystemExit("no households visible to this user")
    cycles = (
        [args.cycle]
        if args.cycle
        else re.findall(
            r'href="/households/\d+/review/(\d+)/"',
            first.open(f"{args.base}/households/{ids[0]}/").read().decode(),
        )
    )
    q = urllib.parse.quote(args.search)
    pages = {
        "list": lambda rnd: f"/households/?household_class=poor&q={q}&page=1",
        "list_filter": lambda rnd: "/households/?indicator=2.2&sort=head_name",
        "household": lambda rnd: f"/households/{rnd.choice(ids)}/",
    }
    if cycles:
        pages["review_form"] = lambda rnd: f"/households/{rnd.choice(ids)}/review/{cycles[0]}/"

    results: dict[str, list[float]] = {name: [] for name in pages}
    errors: dict[str, int] = {name: 0 for name in pages}
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(n):
        rnd = random.Random(n)
        op = login(args.base, args.user, args.password)
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
                    results[name].append(elapsed)
                else:
                    errors[name] += 1
            if args.think:
                time.sleep(rnd.uniform(0.5, 1.5) * args.think)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    report = {
        "clients": args.clients,
        "think_s": args.think,
        "seconds": round(wall, 1),
        "pages": {},
    }
    for name, values in results.items():
        if not values:
            report["pages"][name] = {"requests": 0, "errors": errors[name]}
            continue
        report["pages"][name] = {
            "requests": len(values),
            "errors": errors[name],
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "rps": round(len(values) / wall, 1),
        }
    total = sum(len(v) for v in results.values())
    report["total_rps"] = round(total / wall, 1)
    report["total_errors"] = sum(errors.values())
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
