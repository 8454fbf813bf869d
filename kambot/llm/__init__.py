"""The model seam: writers (offline and OpenAI-compatible), prompts, grounding guard.

Import from the submodules: :mod:`kambot.llm.base` (``Writer``, ``DraftContext``),
:mod:`kambot.llm.factory` (``make_writer``), :mod:`kambot.llm.offline`
(``OfflineWriter``), :mod:`kambot.llm.model_writer` (``ModelWriter``),
:mod:`kambot.llm.openai_model` (``OpenAIChatModel``, ``translate_error``; the only code
importing ``langchain_openai`` / ``openai``), :mod:`kambot.llm.grounded`
(``grounded_draft``), :mod:`kambot.llm.guard` (``GuardContext``), :mod:`kambot.llm.prompts`
and :mod:`kambot.llm.testing` (``ScriptedModel``). Nothing heavy is imported here.
"""
