"""Choose the writer from the settings: offline by default, a model when configured."""

from __future__ import annotations

from kambot.config import Settings
from kambot.errors import ConfigError
from kambot.llm.base import Writer
from kambot.llm.offline import OfflineWriter


def make_writer(settings: Settings) -> Writer:
    """Return the writer the settings ask for.

    ``KAMBOT_LLM_PROVIDER=offline`` (the default) gives the offline writer;
    ``openai`` gives a :class:`~kambot.llm.model_writer.ModelWriter` over ``ChatOpenAI``
    with the configured base URL, model, key, timeout and retries. Nothing is imported
    from LangChain and nothing is contacted until the first draft.

    Raises:
        ConfigError: ``openai`` without a model, or for api.openai.com without a key.
    """
    if settings.llm_provider == "offline":
        return OfflineWriter()
    from kambot.llm.model_writer import ModelWriter
    from kambot.llm.openai_model import OpenAIChatModel

    if not settings.llm_model:
        raise ConfigError("KAMBOT_LLM_PROVIDER=openai needs KAMBOT_LLM_MODEL",
                          hint="set the model name, e.g. gpt-4o-mini or llama3.1")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if not settings.llm_base_url and not key:
        raise ConfigError("api.openai.com needs an API key",
                          hint="set KAMBOT_LLM_API_KEY, or KAMBOT_LLM_BASE_URL for a local "
                               "server (Ollama, vLLM, llama.cpp, LM Studio)")
    model = OpenAIChatModel(model=settings.llm_model, base_url=settings.llm_base_url,
                            api_key=key, timeout=settings.llm_timeout_s,
                            max_retries=settings.llm_max_retries)
    return ModelWriter(model, settings.prompts_dir, name=model.name)
