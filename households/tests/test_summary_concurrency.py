"""Two writers of one village at once (PostgreSQL): both commit, and the summary counts equal a
full recount. Each writer has inserted rows that reference the village (a household, a result:
the foreign-key check takes FOR KEY SHARE on the ``Area`` row) before it locks the village to
refresh its counts; a FOR UPDATE lock would wait for the other's FOR KEY SHARE and deadlock."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from households import services, summary
from households.models import Assessment, Household

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks: it lets one writer at a time write the whole database",
    ),
]


def at_once(*writes) -> list[Exception]:
    """Run each write in its own thread and transaction; each waits, after its write and before
    the summary's refresh at the end of its ``collecting()`` block, until all have written."""
    barrier = threading.Barrier(len(writes))
    errors: list[Exception] = []

    def run(write):
        try:
            with transaction.atomic(), summary.collecting():
                write()
                barrier.wait(timeout=20)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in writes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_two_households_created_at_once_in_one_village_both_count(village_a):
    def create(code):
        return lambda: services.household_create(village=village_a, code=code, head_name="Lò Văn A")

    assert at_once(create("C1"), create("C2")) == []
    assert Household.objects.filter(village=village_a).count() == 2
    assert summary.stored() == summary.recount()


def test_a_result_and_a_household_written_at_once_in_one_village_both_count(
    poverty_standards, village_a
):
    home = services.household_create(village=village_a, code="R1", head_name="Lò Thị B")
    services.member_add(household=home, full_name="Lò Thị B", sex="F", relation_to_head="head")
    cycle = services.review_cycle_create(commune=village_a.parent, year=2024)

    def record():
        services.assessment_record(
            cycle=cycle, household=home, income_per_capita=1_000_000, deprived=("2.2",)
        )

    def create():
        services.household_create(village=village_a, code="R2", head_name="Lò Văn C")

    assert at_once(record, create) == []
    assert Assessment.objects.filter(cycle=cycle).count() == 1
    kept = summary.stored()
    assert kept == summary.recount()
    assert any(key[0] == "results" for key in kept[0])


def test_a_household_edited_while_its_result_is_recorded_both_count(poverty_standards, village_a):
    """The edit locks the household's row; the result's commit checks its key: FOR NO KEY
    UPDATE lets it, while the edit waits for the village the result's writer holds."""
    home = services.household_create(village=village_a, code="E1", head_name="Lò Thị G")
    services.member_add(household=home, full_name="Lò Thị G", sex="F", relation_to_head="head")
    cycle = services.review_cycle_create(commune=village_a.parent, year=2024)

    def record():
        services.assessment_record(
            cycle=cycle, household=home, income_per_capita=1_000_000, deprived=("2.2",)
        )

    def edit():
        services.household_update(household=home, left_registry_on=datetime.date(2025, 3, 1))

    assert at_once(record, edit) == []
    assert Assessment.objects.filter(cycle=cycle).count() == 1
    assert summary.stored() == summary.recount()


def test_a_rebuild_and_a_writer_of_one_village_both_commit(village_a):
    """The writer has locked its village and is committing: the commit's foreign-key checks
    (deferred to the commit) take FOR KEY SHARE on the household's commune, which the rebuild,
    waiting for the village, has already locked (communes and villages, in the order of their
    ids). FOR UPDATE there would deadlock; FOR NO KEY UPDATE lets the writer commit."""
    locked, go = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def write():
        try:
            with transaction.atomic():
                with summary.collecting():
                    services.household_create(village=village_a, code="W1", head_name="Lò Văn D")
                locked.set()  # the village is locked (refreshed), the commit to come
                go.wait(timeout=20)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    def rebuild():
        try:
            locked.wait(timeout=20)
            summary.rebuild()
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write), threading.Thread(target=rebuild)]
    for t in threads:
        t.start()
    locked.wait(timeout=20)
    with connection.cursor() as cursor:  # until the rebuild waits for the writer's lock
        for _attempt in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    go.set()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert Household.objects.filter(village=village_a).count() == 1
    assert summary.stored() == summary.recount()
