from django.conf import settings


def platform(request):
    """Names and mode for the base template."""
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "DISTRICT_NAME": settings.DISTRICT_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
    }
