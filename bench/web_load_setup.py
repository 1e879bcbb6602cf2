"""Create the users that bench/web_load.py logs in as, on a database holding a generated province.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench \
        .venv/bin/python bench/web_load_setup.py --commune 99006 --province 99

Creates (or resets the password of) ``bench.officer``, officer of the commune, and ``bench.viewer``,
viewer of the province, both with the password ``povertyplan-demo``, and prints the id of the
commune's latest periodic review cycle (pass it to web_load.py as ``--cycle``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from accounts.models import Membership, User  # noqa: E402
from areas.models import Area  # noqa: E402
from households.models import ReviewCycle  # noqa: E402

PASSWORD = "povertyplan-demo"


def ensure_user(username: str, area: Area, role: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.get_or_create(user=user, area=area, role=role)
    return user


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commune", default="99006", help="code of the officer's commune")
    ap.add_argument("--province", default="99", help="code of the viewer's province")
    args = ap.parse_args()
    commune = Area.objects.get(code=args.commune, kind=Area.Kind.COMMUNE)
    province = Area.objects.get(code=args.province, kind=Area.Kind.PROVINCE)
    ensure_user("bench.officer", commune, Membership.Role.OFFICER)
    ensure_user("bench.viewer", province, Membership.Role.VIEWER)
    cycle = (
        ReviewCycle.objects.filter(commune=commune, kind=ReviewCycle.Kind.PERIODIC)
        .order_by("-year")
        .first()
    )
    print(f"bench.officer: officer of {commune}; bench.viewer: viewer of {province}")
    print(f"cycle: {cycle.pk} ({cycle})" if cycle else "cycle: none")


if __name__ == "__main__":
    main()
