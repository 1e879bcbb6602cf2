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


# The device name by which the test client's force_login (root conftest.py) marks a session as
# having given its second factor, as a real login through accounts.views.two_factor_verify does.
VERIFIED_IN_TESTS = "verified-in-tests"


def totp_device(user, *, name: str = "app", confirmed: bool = True):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)
