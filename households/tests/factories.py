import datetime

import factory

from areas.tests.factories import VillageFactory
from core.collation import vietnamese_sort_text
from households import summary
from households.models import Household, Member, ReviewCycle
from indicators.models import PovertyStandard


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    village = factory.SubFactory(VillageFactory)
    commune = factory.SelfAttribute("village.parent")
    code = factory.Sequence(lambda n: f"H{n:05d}")
    head_name = "Nguyễn Văn Đức"
    floor_area_m2 = 40
    # what the services keep: the list sorted by head orders by it
    head_sort = factory.LazyAttribute(lambda h: vietnamese_sort_text(h.head_name))

    @factory.post_generation
    def summary_counts(household, create, extracted, **kwargs):
        if create:  # what households.services keeps with every household it writes
            summary.touch([household.village_id], registry_only=True)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    full_name = factory.Sequence(lambda n: f"Thành viên {n}")
    sex = Member.Sex.MALE
    relation_to_head = Member.Relation.HEAD
    date_of_birth = datetime.date(1980, 5, 1)
    citizen_id = factory.Sequence(lambda n: f"0020800{n:05d}")


class ReviewCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCycle
        skip_postgeneration_save = True

    commune = factory.SubFactory("areas.tests.factories.CommuneFactory")
    year = 2023
    kind = ReviewCycle.Kind.PERIODIC
    reference_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 14))
    standard = factory.LazyFunction(lambda: PovertyStandard.objects.get(code="2022-2025"))

    @factory.post_generation
    def summary_counts(cycle, create, extracted, **kwargs):
        if create and cycle.kind == ReviewCycle.Kind.PERIODIC:  # as review_cycle_create does
            summary.touch(summary.villages_of_commune(cycle.commune_id), years=[cycle.year])
