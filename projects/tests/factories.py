import datetime

import factory

from projects.models import Activity, Assignment, Programme, Project, SubProject, Unit


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["code"]

    code = "GNBV-2021-2025"
    name = "Chương trình mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2021 - 2025"
    start_year = 2021
    end_year = 2025


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 10)
    name = factory.Sequence(lambda n: f"Dự án thử {n}")


class SubProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubProject
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    programme = factory.SelfAttribute("project.programme")
    number = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"TDA-{n}")
    name = factory.Sequence(lambda n: f"Tiểu dự án thử {n}")

    @factory.post_generation
    def indicator_codes(self, create, extracted, **kwargs):
        """``SubProjectFactory(indicator_codes=["1.1"])`` names the indicators it addresses."""
        if create and extracted:
            from indicators.models import Indicator

            self.indicators.set(Indicator.objects.filter(code__in=extracted))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    commune = factory.SubFactory("areas.tests.factories.CommuneFactory")
    name = factory.Sequence(lambda n: f"Đơn vị thử {n}")
    kind = Unit.Kind.OFFICER


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    commune = factory.SubFactory("areas.tests.factories.CommuneFactory")
    year = 2024
    subproject = factory.SubFactory(SubProjectFactory)
    lead_unit = factory.SubFactory(UnitFactory, commune=factory.SelfAttribute("..commune"))
    tasks = "- Nội dung thử"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    assignment = factory.SubFactory(AssignmentFactory)
    area = factory.SelfAttribute("assignment.commune")
    title = factory.Sequence(lambda n: f"Hoạt động {n}")
    planned_start = datetime.date(2024, 5, 1)
    planned_end = datetime.date(2024, 10, 31)
