import pytest
from django.core.exceptions import ValidationError

from linli.registry.tests.factories import BuildingFactory, DwellingFactory, StairwellFactory

pytestmark = pytest.mark.django_db


def test_dwelling_above_the_top_floor_is_refused():
    stairwell = StairwellFactory(building=BuildingFactory(storeys=6))
    dwelling = DwellingFactory.build(stairwell=stairwell, floor=7)
    with pytest.raises(ValidationError) as info:
        dwelling.full_clean()
    assert "floor" in info.value.message_dict


def test_a_subdistrict_code_outside_its_district_is_refused():
    from linli.registry.tests.factories import SubdistrictFactory

    subdistrict = SubdistrictFactory.build(district=SubdistrictFactory().district, code="410302001")
    with pytest.raises(ValidationError) as info:
        subdistrict.clean()
    assert "410303" in info.value.message_dict["code"][0]


def test_a_community_code_outside_its_subdistrict_is_refused():
    from linli.registry.tests.factories import CommunityFactory, SubdistrictFactory

    parent = SubdistrictFactory(code="410303005")
    community = CommunityFactory.build(subdistrict=parent, code="410303006001")
    with pytest.raises(ValidationError) as info:
        community.clean()
    assert "sub-district code 410303005" in info.value.message_dict["code"][0]
