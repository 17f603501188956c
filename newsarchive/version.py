"""The package version and how newsarchive names itself to servers, in a module of its own:
stages import it without importing the package's lazy ``extract``/``load`` entry points
(which would make import cycles)."""

__version__ = "0.1.0"

# Where site operators learn what crawls them when a plan names no contact of its own.
PROJECT_URL = "https://github.com/newsarchive/newsarchive"


def newsarchive_user_agent(contact: str = PROJECT_URL) -> str:
    """newsarchive's user agent, naming ``contact`` (the default for every crawl)."""
    return f"newsarchive/{__version__} (+{contact}; archival crawler)"
