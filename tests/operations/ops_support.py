"""Helpers of the operations tests: a small corpus and portfolio, snapshots, searches."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.config import Settings

FIXTURE_KNOWLEDGE = Path(__file__).resolve().parents[1] / "retrieval" / "fixtures" / "knowledge"

ACCOUNTS_CSV = """external_id,name,industry,country,potential
ACME,Acme Corporation,chemicals,FR,5000000
GLOBEX,Globex Industries,automotive,DE,800000
INITECH,Initech,software,FR,
"""

ACTIVITIES_CSV = "\n".join([
    "external_id,account_external_id,kind,occurred_on,resolved_on,subject,text,author",
    "A-1,ACME,meeting,2025-03-01,,Tender kickoff,"
    "Acme opens the quokka tender in April; the buyer wants a price review.,alice",
    "A-2,GLOBEX,call,2025-03-02,,Sponsor,"
    "Globex asks for a new executive sponsor and a share of wallet review.,bob",
    "A-3,INITECH,note,2025-03-03,,Réunion,"
    "Le client veut revoir la part de portefeuille avant la fin de l'année.,alice",
    "",
])

QUERIES = ("share of wallet", "Quel est le rôle du parrain ?", "quokka tender",
           "executive sponsor")


def with_small_knowledge(settings: Settings, root: Path) -> Settings:
    """Return ``settings`` on a private copy of the small fixture corpus."""
    knowledge = root / "knowledge"
    if not knowledge.exists():
        shutil.copytree(FIXTURE_KNOWLEDGE, knowledge)
    return settings.model_copy(update={"knowledge_dir": knowledge})


def fill(engine: Engine, settings: Settings, folder: Path) -> None:
    """Import three accounts and their notes (one transaction)."""
    from kambot.store.importers.runner import import_bundle

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(ACCOUNTS_CSV, encoding="utf-8")
    (folder / "activities.csv").write_text(ACTIVITIES_CSV, encoding="utf-8")
    import_bundle(engine, settings, folder)


def snapshot(engine: Engine) -> dict[str, tuple[int, str]]:
    """Return (row count, checksum of the ordered rows) per table."""
    out: dict[str, tuple[int, str]] = {}
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(sa.select(table).order_by(*order)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            out[table.name] = (len(rows), digest)
    return out


def search_results(settings: Settings, engine: Engine) -> list[list[tuple[str, float]]]:
    """Return the ids and rounded scores of a few searches, public and account-scoped."""
    from kambot.retrieval.index import open_index
    from kambot.retrieval.models import Scope

    index = open_index(settings, engine)
    with engine.connect() as conn:
        acme = int(conn.exec_driver_sql(
            "SELECT id FROM accounts WHERE external_id = 'ACME'").scalar_one())
    found = []
    for query in QUERIES:
        for scope in (Scope.public(), Scope.for_accounts({acme})):
            hits = index.search(query, k=4, scope=scope)
            found.append([(h.chunk_id, round(h.score, 6)) for h in hits])
    return found
