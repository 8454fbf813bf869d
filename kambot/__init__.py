"""kambot: an offline-first assistant for Key Account Management programmes."""

__version__ = "0.1.0"
