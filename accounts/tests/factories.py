import factory

from accounts.models import Membership, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        """``UserFactory(membership=(area, role))`` gives the user one membership."""
        if create and extracted:
            area, role = extracted
            Membership.objects.create(user=self, area=area, role=role)
        if create:
            self.save()
