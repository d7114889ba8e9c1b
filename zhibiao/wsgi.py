"""WSGI entry point, served by gunicorn (see the Makefile's `run` and `serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibiao.settings")
application = get_wsgi_application()
