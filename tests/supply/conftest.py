"""What the supply platform's tests share: the demo's people, offering and demand (`world`),
and a new offering's fields."""

import pytest

from zhibiao.accounts.models import User
from zhibiao.directory.models import Organisation
from zhibiao.supply.models import Demand, Offering


@pytest.fixture
def world(demo, settings):
    settings.DEMO_MODE = True
    return {
        "enterprise": User.objects.get(username="enterprise"),
        "admin": User.objects.get(username="admin"),
        "expert": User.objects.get(username="expert"),
        "provider": User.objects.get(username="provider"),
        "xianda": Organisation.objects.get(name="上海贤达精密机械有限公司"),
        "lab_offering": Offering.objects.get(title="机械零部件尺寸与材料检测"),
        "demand": Demand.objects.get(enterprise__name="上海贤达精密机械有限公司"),
    }


OFFERING = {
    "category": "testing",
    "title": "电气安全检测",
    "description": "电气产品安全性能检测",
    "price_model": "paid",
    "turnaround_days": 5,
    "towns": ["nanqiao"],
    "industries": "C38",
}
