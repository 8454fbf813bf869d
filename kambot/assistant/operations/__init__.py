"""Operations: startup checks, backup and restore, the shared search index of API workers.

- :mod:`.startup_checks`: :func:`~.startup_checks.run_startup_checks` (what `kambot
  doctor` prints) and :func:`~.startup_checks.assert_startable` (run by the API at
  start and by commands that open the store), plus the single-server claim that stops
  a second API process from writing a SQLite database with the WAL-reset bug;
- :mod:`.backup` / :mod:`.restore`: `kambot backup` and `kambot restore` (SQLite online
  backup or ``pg_dump``, the knowledge folder and a manifest with checksums; indexes
  are rebuilt on restore, never copied);
- :mod:`.live_index`: the search index as API workers share it, with one index writer.

Nothing here is imported by the CLI at start: every command imports what it needs.
"""
