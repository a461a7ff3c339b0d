"""Configuration: the typed Settings object and the force/region/LPC catalogue.

May import ``toex.model`` and ``toex.errors`` only.
"""

from toex.config.forces import Catalogue, Force, Partner, load_catalogue
from toex.config.settings import Settings, get_settings

__all__ = ["Catalogue", "Force", "Partner", "Settings", "get_settings", "load_catalogue"]
