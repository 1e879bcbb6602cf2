"""The summary counts after a change to the area tree: a village put under another commune keeps
its households' commune, and the summary's readers select as the computed figures do."""

import pytest
from django.urls import reverse

from areas.models import Area
from households import services, standing, summary

pytestmark = pytest.mark.django_db


def test_a_village_moved_to_another_commune_counts_as_the_computed_figures_count(
    client, settings, village_a, other_village
):
    """The households keep their commune when their village is put under another commune (in
    another province): the registry is counted, and the list filters, by the household's
    commune; the area by the village's place in the tree."""
    from accounts.tests.factories import UserFactory

    old_commune, new_commune = village_a.parent, other_village.parent
    for k, village in enumerate([village_a, village_a, other_village]):
        services.household_create(village=village, code=f"M{k}", head_name="Lò Văn E")
    village_a.parent = new_commune
    village_a.save()
    province = Area.objects.get(pk=new_commune.path.split("/")[1])
    computed = standing.registry_counts(province, [2024], "commune_id")[2024]
    assert summary.registry_by_commune(province.path, [2024])[2024] == computed
    assert computed == {old_commune.pk: 2, new_commune.pk: 1}
    assert summary.registry_total(province.path, 2024) == 3

    from areas.tests.factories import CommuneFactory

    CommuneFactory(parent=new_commune.parent)  # two communes: the list chooses none itself
    client.force_login(UserFactory(username="p", membership=(province, "viewer")))
    for filters in ({}, {"commune": new_commune.pk}):
        counts = []
        for reads in (True, False):
            settings.SUMMARY_READS = reads
            page = client.get(reverse("household_list"), filters).context["page"]
            counts.append(page.paginator.count)
        assert counts[0] == counts[1] == (1 if filters else 3), (filters, counts)
