"""``uvicorn web.partners.asgi:app``: the app with the partner side installed (until web.main does it)."""

from web.app import create_app
from web.partners import install

app = install(create_app())
