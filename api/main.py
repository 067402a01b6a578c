"""The ASGI application that ``kohtaamo serve`` runs."""

from api.app import create_app

app = create_app()
