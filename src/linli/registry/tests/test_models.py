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
