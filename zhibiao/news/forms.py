"""The form of the news pages; the service decides what is allowed."""

from __future__ import annotations

from django import forms

from zhibiao.bases.models import TrainingBase
from zhibiao.core.forms import DateInput, model_form_class, seen_revision
from zhibiao.events.models import Event
from zhibiao.news.models import NewsItem
from zhibiao.news.services import NEWS_FIELDS, NEWS_LINKS


class NewsForm(model_form_class(NewsItem, NEWS_FIELDS + NEWS_LINKS, name="_NewsFields")):
    """A news report; the links are long lists, so they are ticked in scrolling boxes."""

    #: The revision of the report the correction's page showed (`services.save_news`'s `seen`).
    seen = seen_revision()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_on"].widget = DateInput()
        self.fields["summary"].widget.attrs["rows"] = 2
        self.fields["body"].widget.attrs["rows"] = 12
        self.fields["events"].queryset = Event.objects.order_by("-starts_at")
        self.fields["bases"].queryset = TrainingBase.objects.select_related("organisation")
        for name in NEWS_LINKS:
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                choices=self.fields[name].choices
            )
            self.fields[name].widget.attrs["class"] = "pick-list"
