"""The offline writer: rules and templates in French and English, no network, no model."""

from kambot.llm.offline.writer import OfflineWriter

__all__ = ["OfflineWriter"]
