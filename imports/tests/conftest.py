import pytest

from areas.tests.factories import AreaFactory


@pytest.fixture(autouse=True)
def _area_codes_stay_low():
    """Area codes come from one factory sequence shared by the whole run ("00001", …). The import
    tests create many areas; putting the sequence back after each keeps later tests' generated
    codes clear of the personas' fixed codes ("01090", "09999")."""
    options = AreaFactory._meta
    options._initialize_counter()
    start = options._counter.seq
    yield
    options._counter.reset(start)
