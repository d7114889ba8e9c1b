"""What every database benchmark does first: point Django at a scratch folder and start it."""

from __future__ import annotations

import os


def start_django(folder: str, *, demo: bool = True, catalogue: bool = True) -> None:
    """Django with its files (and SQLite database) in `folder`. With `demo`, on SQLite whatever
    DATABASE_URL says and with the demo's settings; without `catalogue`, the demo loads no
    standards catalogue (faster, for benchmarks that do not read it)."""
    os.environ["ZHIBIAO_VAR_DIR"] = folder
    if demo:
        os.environ["ZHIBIAO_DEMO"] = "1"
        os.environ.pop("DATABASE_URL", None)
    if not catalogue:
        os.environ["ZHIBIAO_DEMO_CATALOGUE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibiao.settings")
    import django

    django.setup()
