"""我的政策, the application page and a clause page tell an enterprise why in words: no rule text,
amounts as people write them, a total per policy document; the rule text stays for district
staff, behind a toggle.

The Chinese wording itself comes from the .po (its msgids in /tmp/po/reasons.po until merged);
these tests hold what cannot depend on it: no code, the figures, the total."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.applications.conftest import people, quick_application
from tests.clients import client_for
from zhibiao.accounts.models import User
from zhibiao.directory.models import Organisation
from zhibiao.measures import phrases, services
from zhibiao.measures.templatetags.measures import yuan

pytestmark = pytest.mark.django_db
__all__ = ["people"]

#: What rule text looks like on a page: a comparison, a function call, a fact's name.
CODE = re.compile(r"\s[=!<>]=?\s|\bcount\(|years_between|tax_paid_district|this_year|\[\"")


def _text(html: str) -> str:
    main = html[html.index("<main") :]
    return re.sub(r"<[^>]+>", " ", main)


def _mine(settings) -> str:
    settings.DEMO_MODE = True
    page = client_for(User.objects.get(username="enterprise")).get(reverse("portal:mine"))
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize(
    ("value", "digits"),
    [(Decimal("50000.00"), "50,000"), ("1234.50", "1,234.50"), (Decimal("860000"), "860,000")],
)
def test_one_filter_writes_money(value, digits):
    shown = yuan(value)
    assert shown.startswith(digits + " ")
    assert ".00" not in shown
    assert yuan(None) == ""


def test_mine_shows_reasons_without_rule_text_and_a_total(demo, settings):
    html = _mine(settings)
    text = _text(html)
    assert not CODE.search(text), CODE.search(text)
    assert "50000.00" not in text and "50,000" in text
    # The enterprise is entitled to 50,000 + 100,000 + 50,000 under the one document in force.
    ((_rulebook, explanation),) = services.explain_enterprise(
        Organisation.objects.get(name="上海贤达精密机械有限公司")
    )
    assert explanation.total == Decimal(200000)
    total = re.search(r'class="document-total">(.*?)</p>', html, re.S)
    assert total and "200,000" in total.group(1)
    # The enterprise's own values beside the condition: tax paid, and the standard counted.
    assert "860,000" in text and "GB/T 99318-2026" in text
    assert "rule-text" not in html  # the rule text is for district staff


def test_a_young_enterprise_reads_how_long_it_has_been_registered(demo):
    ((_rulebook, explanation),) = services.explain_enterprise(
        Organisation.objects.get(name="上海奉城新材料科技有限公司")
    )
    result = explanation.result("FX23-QA-GOLD")
    assert result.near_miss
    (unmet,) = [c for c in result.to_dict()["conditions"] if not c["met"]]
    with translation.override("en"):
        said = phrases.say_condition(unmet["phrase"], unmet["label"])
    assert said.startswith("at least 3 years since Date of registration")
    assert re.search(r"\(yours: (\d+ year\(s\) )?\d+ month\(s\)\)$", said), said


def test_application_page_explains_in_words_and_staff_see_the_rule_text(demo, settings):
    settings.DEMO_MODE = True
    people_ = {
        "enterprise": User.objects.get(username="enterprise"),
        "xianda": Organisation.objects.get(name="上海贤达精密机械有限公司"),
    }
    application = quick_application(people_)
    url = reverse("applications:detail", args=[application.pk])
    page = client_for(people_["enterprise"]).get(url).content.decode()
    assert "860,000" in _text(page)
    assert not CODE.search(_text(page))
    assert "rule-text" not in page
    staff = client_for(User.objects.get(username="admin")).get(url).content.decode()
    toggle = re.search(r'<details class="rule-text.*?</details>', staff, re.S)
    assert toggle and "tax_paid_district &gt; 0" in toggle.group(0)


def test_an_old_assessment_without_phrases_shows_the_author_s_labels(rf):
    request = rf.get("/")
    request.user = User(role="enterprise")
    html = render_to_string(
        "measures/_assessment.html",
        {
            "request": request,
            "r": {
                "conditions": [
                    {
                        "label": "在本区纳税",
                        "expr": "tax_paid_district > 0",
                        "met": True,
                        "values": {},
                    }
                ],
                "lines": [{"label": "GB/T 1-2023", "amount": "50000.00"}],
            },
        },
    )
    assert "在本区纳税" in html and "tax_paid_district" not in html
    assert "50,000" in html


def test_clause_page_says_the_basis_in_words(demo, settings, client):
    settings.DEMO_MODE = True
    url = reverse("measures:clause", args=["FX23-STD-NAT-2"])
    page = client_for(User.objects.get(username="enterprise")).get(url).content.decode()
    text = _text(page)
    assert "standards" not in text and not CODE.search(text)
    basis = re.search(r'class="award-basis">(.*?)</p>', page, re.S)
    assert basis and "50,000" in basis.group(1)
    admin = client_for(User.objects.get(username="admin")).get(url).content.decode()
    assert 'class="rule-text' in admin and "2 &lt;= rank &lt;= 3" in admin
