"""Writing many new rows of the registry at once: households with their members, and the history
row of each, on PostgreSQL through COPY.

Why this module exists: the commit of a large Excel import has a measured target, and the ORM's
per-value preparation in ``bulk_create`` was most of its time (docs/benchmarks.md, "Excel import";
docs/decisions-import.md, "Scope and writes"). So new rows go through COPY, written as CSV by the
csv module, while a second thread stores the batch before (:class:`_Pipeline`), and the history
rows are copied from them by the database (``INSERT … SELECT``). It writes the rows it is given
and checks nothing: the callers (``households.bulkregistry.registry_import``) apply the field rules
first. On any other database, through psycopg 3, or for a model with a field this writer does not
know, the same rows go through ``bulk_create_with_history``, which stays the reference in tests.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Callable, Sequence

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.chunks import chunks

from .models import Household, Member

# --- COPY ----------------------------------------------------

# Field types whose Python values COPY takes as text directly (a model with any other type
# takes the ORM path).
_COPY_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)
_COPY_TEXT = frozenset({"CharField", "TextField"})


def _copy_rows(cursor, table: str, columns: list[tuple[str, object]], rows) -> None:
    """COPY ``rows`` (lists of Python values) into ``table``'s ``columns`` (pairs of column name
    and model field); see :func:`_copy_sql`."""
    cursor.copy_expert(_copy_sql(table, columns), _csv_buffer(rows), size=COPY_READ)


# Bytes psycopg2 sends per message of a COPY: a buffer size of this writer, which changes no
# result, so it is a constant rather than a setting.
COPY_READ = 1 << 18


def _copy_sql(table: str, columns: list[tuple[str, object]]) -> str:
    """The COPY statement for rows written by :func:`_csv_buffer`: CSV written by the csv module,
    in C, with no Python code run per value.

    In PostgreSQL's CSV an unquoted empty field is NULL and a quoted one ("") an empty string;
    the csv module writes both None and "" unquoted, so the text columns, which never hold NULL
    (the callers send nullable text columns down the ORM path), are named in FORCE_NOT_NULL and
    keep their empty strings. Booleans arrive as True/False, dates and aware datetimes in ISO
    form, decimals as written: all of which PostgreSQL reads as such."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(name) for name, _field in columns)
    text = [qn(name) for name, field in columns if field.get_internal_type() in _COPY_TEXT]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
    return f"COPY {qn(table)} ({names}) FROM STDIN WITH ({options})"


def _csv_buffer(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    return buffer


def _copy_columns(model):
    """The historical model's columns (see :func:`_history_columns`) when rows of ``model`` can
    go through COPY on this connection, else None (the ORM path): PostgreSQL through psycopg2,
    fields whose values COPY reads as written, no nullable text field, a historical model this
    writer knows."""
    if connection.vendor != "postgresql":
        return None
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:  # psycopg 3 has no copy_expert: the ORM path
        return None
    fields = model._meta.concrete_fields
    if any(f.get_internal_type() not in _COPY_PLAIN for f in fields) or any(
        f.null and f.get_internal_type() in _COPY_TEXT for f in fields
    ):
        return None
    return _history_columns(model)


class _Pipeline:
    """Statements of the current transaction run in order by a second thread, while the calling
    thread prepares the next batch: psycopg2 lets go of Python's lock while the server works, so
    on two CPUs building rows and storing them overlap. Jobs get a raw psycopg2 cursor and must
    not touch Django's ``connection`` (in the second thread it would be another connection).

    The caller must not use the connection until the ``with`` block ends. An error of a job is
    raised there (or at the next ``submit``) as Django's, and no later job runs. If the block
    ends with an exception, queued jobs are dropped and the running statement is cancelled; the
    block does not end before the second thread has stopped — even when the wait itself is
    interrupted (Ctrl-C, a web worker's timeout) — so that no statement of the transaction can be
    sent after it has been rolled back (it would then run in autocommit and stay written). A job
    also runs only while the connection is still inside its transaction."""

    def __init__(self):
        self._raw = connection.connection
        self._jobs: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._work, name="registry-writer", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def _in_transaction(self) -> bool:
        from psycopg2.extensions import TRANSACTION_STATUS_INTRANS

        raw = self._raw
        return not raw.autocommit and raw.get_transaction_status() == TRANSACTION_STATUS_INTRANS

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None and not self._stopped.is_set() and self._in_transaction():
                try:
                    with self._raw.cursor() as cursor:
                        job(cursor)
                except BaseException as exc:  # raised in the calling thread
                    self._error = exc

    def submit(self, job) -> None:
        self._raise()
        self._jobs.put(job)

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            with connection.wrap_database_errors:
                raise error

    def _stop(self) -> None:
        self._stopped.set()
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        self._raw.cancel()  # the statement running now, if any, ends with an error

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._stop()
        interrupted, sent = None, False
        while self._thread.is_alive():
            try:
                if not sent:
                    self._jobs.put(None)  # waits for a free place while jobs run
                    sent = True
                self._thread.join()
            except BaseException as exc:  # stop the thread first, then let it through
                interrupted = interrupted or exc
                self._stop()  # drops the queue, the end mark too: send it again
                sent = False
        if interrupted is not None:
            raise interrupted
        if kind is None:
            self._raise()


def households_insert(
    items: Sequence,
    *,
    prepare: Callable[[object], tuple[dict, list[dict]]],
    user,
    reason: str | None,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """New households with their members and a history row each (type “+”). ``prepare(item)``
    gives an item's household field values (``commune_id`` and ``village_id`` included) and its
    members' values, checked; ``progress(done, total)`` hears how many households are stored.

    On PostgreSQL each batch is prepared and turned into CSV here while the batch before it is
    stored by :class:`_Pipeline` (COPY, then the history by ``INSERT … SELECT``); elsewhere the
    same values become model objects for ``bulk_create_with_history``."""
    checked = prepare
    h_fields = list(Household._meta.concrete_fields)
    m_fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    total = len(items)

    def stored(done: int) -> None:
        if progress is not None:
            progress(done, total)

    h_history, m_history = _copy_columns(Household), _copy_columns(Member)
    if h_history is None or m_history is None:
        done = 0
        for chunk in chunks(items, batch_size):
            households, members = [], []
            for item in chunk:
                values, member_values = checked(item)
                household = Household(**values)
                households.append(household)
                members.extend(Member(household=household, **m) for m in member_values)
            bulk_create_with_history(
                households,
                Household,
                batch_size=batch_size,
                default_user=user,
                default_change_reason=reason,
            )
            for member in members:
                member.household_id = member.household.pk
            bulk_create_with_history(
                members,
                Member,
                batch_size=batch_size,
                default_user=user,
                default_change_reason=reason,
            )
            done += len(chunk)
            stored(done)
        return

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [Household._meta.db_table, Household._meta.pk.column, len(items)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    template = {}
    for field in h_fields:
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        template[field.attname] = now if auto else field.get_default()
    h_names = [f.attname for f in h_fields]
    m_names = [f.attname for f in m_fields]
    h_sql = _copy_sql(Household._meta.db_table, [(f.column, f) for f in h_fields])
    m_sql = _copy_sql(Member._meta.db_table, [(f.column, f) for f in m_fields])
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": user.pk if user is not None else None,
    }

    h_history_sql, h_params = _history_sql(Household, h_history, extra)
    m_history_sql, m_params = _history_sql(
        Member, m_history, extra, key=Member._meta.get_field("household").column
    )

    def store(households, members, batch_ids, done):
        def job(cursor):
            cursor.copy_expert(h_sql, households, size=COPY_READ)
            cursor.copy_expert(m_sql, members, size=COPY_READ)
            _history_of_batch(cursor, h_history_sql, h_params, batch_ids)
            _history_of_batch(cursor, m_history_sql, m_params, batch_ids)
            stored(done)  # in the write thread: the callback only writes a status file

        return job

    with _Pipeline() as pipeline:
        for start in range(0, len(items), batch_size):
            h_rows, m_rows = [], []
            batch_ids = ids[start : start + batch_size]
            for pk, item in zip(batch_ids, items[start : start + batch_size], strict=True):
                values, members = checked(item)
                row = {**template, **values, "id": pk}
                h_rows.append([row[name] for name in h_names])
                for member in members:
                    member["household_id"] = pk
                    m_rows.append([member[name] for name in m_names])
            done = start + len(batch_ids)
            pipeline.submit(store(_csv_buffer(h_rows), _csv_buffer(m_rows), batch_ids, done))


def _history_columns(model):
    """(column, source) pairs of the historical model: a tracked field's attname, or one of the
    history fields; None when the historical model has fields this writer does not know."""
    history = model.history.model
    known = {"history_id", "history_date", "history_change_reason", "history_type"}
    columns = []
    for field in history._meta.concrete_fields:
        if field.name in known or field.name == "history_user":
            if field.name != "history_id":
                columns.append((field.column, field.name))
            continue
        if field.name == "history_relation":
            columns.append((field.column, "history_relation"))
            continue
        try:
            original = model._meta.get_field(field.name)
        except Exception:  # a custom historical field: leave it to simple-history
            return None
        columns.append((field.column, original.attname))
    return columns


def _history_sql(model, history_columns, extra: dict, *, key: str | None = None):
    """(statement, parameters) writing one history row per just-written row, copied by the
    database itself (INSERT … SELECT): the tracked columns as stored, plus the date, type, user
    and reason of this import. The rows are those whose primary key (or the column ``key``) is in
    the array given as the last parameter, taken in the order of their primary keys, so history
    ids follow the rows' ids as with ``bulk_create_with_history``."""
    qn = connection.ops.quote_name
    opts = model._meta
    history_opts = model.history.model._meta
    by_column = {f.column: f for f in history_opts.concrete_fields}
    columns = {f.attname: f.column for f in opts.concrete_fields}
    targets, values, params = [], [], []
    for column, source in history_columns:
        targets.append(qn(column))
        if source in extra:
            values.append(f"CAST(%s AS {by_column[column].db_type(connection)})")
            params.append(extra[source])
        elif source == "history_relation":
            values.append(qn(opts.pk.column))
        else:
            values.append(qn(columns[source]))
    pk = qn(opts.pk.column)
    where = qn(key) if key else pk
    statement = (
        f"INSERT INTO {qn(history_opts.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(values)} FROM {qn(opts.db_table)} "
        f"WHERE {where} = ANY(%s) ORDER BY {pk}"
    )
    return statement, params


def _history_of_batch(cursor, statement: str, params: list, ids: list[int]) -> None:
    cursor.execute(statement, [*params, ids])


def _history_from_rows(cursor, model, history_columns, ids: list[int], extra: dict) -> None:
    """The history rows of the just-written rows of ``model`` whose primary key is in ``ids``."""
    statement, params = _history_sql(model, history_columns, extra)
    for chunk in chunks(ids, 20_000):
        cursor.execute(statement, [*params, list(chunk)])


def insert_with_history(objs, model, *, user, reason: str | None, batch_size: int) -> None:
    """``bulk_create_with_history``, or on PostgreSQL the same rows — the objects through COPY,
    which is cheaper than the ORM's per-value preparation, and one history row each
    (type “+”, the user, the change reason) copied from them by the database. Other databases,
    or a historical model with fields this writer does not know, take the ORM path."""
    if not objs:
        return
    history_columns = _copy_columns(model)
    fields = list(model._meta.concrete_fields)
    if history_columns is None:
        bulk_create_with_history(
            objs, model, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
        return
    opts = model._meta
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)

    names = [f.attname for f in fields]
    rows = ([getattr(obj, name) for name in names] for obj in objs)
    user_id = user.pk if user is not None else None
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": user_id,
    }
    with connection.cursor() as cursor:
        _copy_rows(cursor.cursor, opts.db_table, [(f.column, f) for f in fields], rows)
        _history_from_rows(cursor, model, history_columns, [obj.pk for obj in objs], extra)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
