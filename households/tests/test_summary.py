"""The summary counts (households/summary.py): kept by every write in its transaction, equal to a
full recount, rebuilt by a command, and read by section I, the communes table and the list."""

import io

import pytest
from django.core.management import call_command

from demo.generator import generate_area
from households import summary

pytestmark = pytest.mark.django_db


def assert_matches_recount():
    kept, kept_indicators = summary.stored()
    counted, counted_indicators = summary.recount()
    assert kept == counted
    assert kept_indicators == counted_indicators


def test_summary_equals_recount_after_the_demo_is_loaded():
    call_command("load_demo", stdout=io.StringIO())
    assert_matches_recount()


def test_summary_equals_recount_after_an_area_is_generated():
    generate_area(households=600, province_code="97", seed=3)
    assert_matches_recount()
