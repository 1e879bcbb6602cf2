import factory

from areas.models import Area


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    kind = Area.Kind.PROVINCE
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    code = factory.Sequence(lambda n: f"{n:05d}")


class ProvinceFactory(AreaFactory):
    kind = Area.Kind.PROVINCE
    name = factory.Sequence(lambda n: f"Tỉnh {n}")


class DistrictFactory(AreaFactory):
    kind = Area.Kind.DISTRICT
    name = factory.Sequence(lambda n: f"Huyện {n}")
    parent = factory.SubFactory(ProvinceFactory)


class CommuneFactory(AreaFactory):
    kind = Area.Kind.COMMUNE
    name = factory.Sequence(lambda n: f"Xã {n}")
    parent = factory.SubFactory(DistrictFactory)


class VillageFactory(AreaFactory):
    kind = Area.Kind.VILLAGE
    name = factory.Sequence(lambda n: f"Thôn {n}")
    code = ""
    parent = factory.SubFactory(CommuneFactory)
