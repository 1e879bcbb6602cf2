import factory

from budget.models import BudgetLine, FundingSource


def source(code: str = "NSTW") -> FundingSource:
    """The funding sources migration 0003 loads (re-created if a flush removed them)."""
    from importlib import import_module

    from django.apps import apps

    if not FundingSource.objects.filter(code=code).exists():
        import_module("budget.migrations.0003_funding_sources").load(apps, None)
    return FundingSource.objects.get(code=code)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    commune = factory.SubFactory("areas.tests.factories.CommuneFactory")
    year = 2024
    source = factory.LazyFunction(source)
    kind = BudgetLine.Kind.RECURRENT
    allocated = 100_000_000
