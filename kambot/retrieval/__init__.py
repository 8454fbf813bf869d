"""Retrieval: corpus loading and chunking, Chroma + bm25s indexes, hybrid search, answers.

Entry points (import them from their modules; heavy libraries load on first use):

- :func:`kambot.retrieval.index.open_index` / :func:`kambot.retrieval.index.reindex`
- :meth:`kambot.retrieval.index.SearchIndex.search` (hybrid, scoped) and ``add_chunks``
- :func:`kambot.retrieval.answer.answer_question` / ``unsupported_sentences``
- :class:`kambot.retrieval.models.Scope`, ``Hit``, ``Answer``, ``Citation``, ``Chunk``
- :func:`kambot.retrieval.documents.chunks_from_upload` for uploaded files

See ``kambot/retrieval/README.md``.
"""
