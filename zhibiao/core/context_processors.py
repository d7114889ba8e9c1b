from django.conf import settings


def platform(request):
    """Names and mode for the base template."""
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "DISTRICT_NAME": settings.DISTRICT_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        # Each language under its own name as settings spell it ("English", "中文"), untranslated:
        # Django's own catalogue would render "English" as "英语" to the reader who needs it.
        "LANGUAGE_SWITCH": settings.LANGUAGES,
    }
