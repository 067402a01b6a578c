"""The ASGI application that ``kohtaamo serve`` runs (imported by every worker process)."""

from core.logs import setup_logging
from core.settings import get_settings
from server.app import create_app

# With --workers N each worker imports this module in its own process: set up its logging here too.
setup_logging(get_settings())
app = create_app()
