"""`save_new`: a new row refused by the named constraint gets that constraint's message, as
`full_clean` words it; any other refusal of the database stays the error it is."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError

from tests.events.conftest import base  # noqa: F401  (fixture)
from zhibiao.bases.models import Capability
from zhibiao.core.constraints import save_new
from zhibiao.directory.models import Organisation

pytestmark = pytest.mark.django_db

UNIQUE_TITLE = "bases_capability_unique_title"


def test_a_new_row_is_saved(base):  # noqa: F811
    capability = Capability(base=base, kind="course", title="课程")
    save_new(capability, UNIQUE_TITLE)
    assert capability.pk and Capability.objects.get().title == "课程"


def test_the_named_constraint_gives_the_message_full_clean_would(base):  # noqa: F811
    Capability.objects.create(base=base, kind="course", title="课程")
    twin = Capability(base=base, kind="site_visit", title="课程")
    with pytest.raises(ValidationError) as by_full_clean:
        twin.full_clean()
    with pytest.raises(ValidationError) as by_save_new:
        save_new(twin, UNIQUE_TITLE)
    assert by_save_new.value.message_dict == by_full_clean.value.message_dict
    assert list(by_save_new.value.message_dict) == [NON_FIELD_ERRORS]
    assert Capability.objects.count() == 1  # and the caller's transaction is still usable


def test_another_refusal_stays_an_integrity_error(base):  # noqa: F811
    with pytest.raises(IntegrityError):  # the kind's check constraint, not the one named
        save_new(Capability(base=base, kind="lecture", title="课程"), UNIQUE_TITLE)


def test_a_constraint_the_model_does_not_have_is_a_programming_error(base):  # noqa: F811
    with pytest.raises(ValueError, match="no unique constraint named"):
        save_new(Capability(base=base, kind="course", title="课程"), "bases_no_such_rule")


def test_a_unique_field_gives_its_message_as_full_clean_would(org):
    twin = Organisation(kind="enterprise", name="另一家有限公司", uscc=org.uscc)
    with pytest.raises(ValidationError) as by_full_clean:
        twin.full_clean()
    with pytest.raises(ValidationError) as by_save_new:
        save_new(twin, "uscc")
    assert by_save_new.value.message_dict == {"uscc": by_full_clean.value.message_dict["uscc"]}
    assert Organisation.objects.filter(uscc=org.uscc).count() == 1


def test_a_field_that_is_not_unique_is_a_programming_error(base):  # noqa: F811
    with pytest.raises(ValueError, match="no unique constraint named"):
        save_new(Capability(base=base, kind="course", title="课程"), "title")
