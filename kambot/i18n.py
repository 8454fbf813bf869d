"""French and English labels for the edges (CLI tables, API messages, reports)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["fr", "en"]

_MESSAGES: dict[str, tuple[str, str]] = {
    # key: (English, French)
    "error": ("error", "erreur"),
    "hint": ("how to fix", "comment corriger"),
    "account": ("Account", "Compte"),
    "segment": ("Segment", "Segment"),
    "industry": ("Industry", "Secteur"),
    "country": ("Country", "Pays"),
    "fit": ("Value-prop fit", "Adéquation offre"),
    "potential": ("Potential (3 y)", "Potentiel (3 ans)"),
    "accounts": ("Accounts", "Comptes"),
    "rank": ("Rank", "Rang"),
    "attractiveness": ("Attractiveness", "Attractivité"),
    "strength": ("Strength", "Force relative"),
    "quadrant": ("Quadrant", "Quadrant"),
    "tier": ("Tier", "Niveau"),
    "reason": ("Why", "Pourquoi"),
    "revenue_ttm": ("Revenue TTM", "CA 12 mois glissants"),
    "growth": ("Growth", "Croissance"),
    "share_of_wallet": ("Share of wallet", "Part de portefeuille"),
    "selected": ("Key accounts selected", "Comptes clés sélectionnés"),
    "runners_up": ("Runners-up", "Suivants"),
    "capacity": ("capacity", "capacité"),
    "strategic_segments": ("Strategic segments", "Segments stratégiques"),
    "portfolio_matrix": ("Portfolio matrix", "Matrice du portefeuille"),
    "tiers_title": ("Service tiers", "Niveaux de service"),
    "kpis_title": ("Account KPIs", "Indicateurs du compte"),
    "programme_kpis_title": ("Programme KPIs", "Indicateurs du programme"),
    "scenarios_title": ("Growth scenarios (3 years)", "Scénarios de croissance (3 ans)"),
    "sensitivity_title": ("Weight sensitivity (±20%)", "Sensibilité des poids (±20 %)"),
    "enters": ("enters", "entre"),
    "leaves": ("leaves", "sort"),
    "stable": (
        "the selection does not change when any weight moves by ±20%",
        "la sélection ne change pas quand un poids varie de ±20 %",
    ),
    "base": ("Base", "Central"),
    "upside": ("Upside", "Haut"),
    "downside": ("Downside", "Bas"),
    "assumptions": ("Assumptions", "Hypothèses"),
    "metric": ("Indicator", "Indicateur"),
    "value": ("Value", "Valeur"),
    "year": ("Year", "Année"),
    "demo_loaded": ("Demo programme loaded", "Programme de démonstration chargé"),
    "next_steps": ("Next steps", "Étapes suivantes"),
    "demo_users_title": ("Demo users for the web app and the API (kambot serve, then /)",
                         "Utilisateurs de démonstration (kambot serve, puis /)"),
    "demo_users_user": ("User", "Utilisateur"),
    "demo_users_role": ("Role", "Rôle"),
    "demo_users_password": ("Password", "Mot de passe"),
    "demo_users_once": ("These passwords are shown once; `kambot user add` creates others.",
                        "Ces mots de passe ne sont affichés qu'une fois ; "
                        "`kambot user add` en crée d'autres."),
    "demo_users_exist": ("Demo users already exist (their passwords were shown when they "
                         "were created; `kambot user add` creates others).",
                         "Les utilisateurs de démonstration existent déjà (mots de passe "
                         "affichés à leur création ; `kambot user add` en crée d'autres)."),
    "initialised": ("Database ready", "Base de données prête"),
    "import_ok": ("Import done", "Import terminé"),
    "import_dry": ("Dry run: nothing was written", "Essai à blanc : rien n'a été écrit"),
    "import_refused": (
        "Import refused: nothing was written",
        "Import refusé : rien n'a été écrit",
    ),
    "no_data": ("no data", "pas de données"),
    "missing": ("missing", "manquant"),
}


def t(key: str, lang: Lang = "en") -> str:
    """Return the label for ``key`` in ``lang`` (the key itself when unknown)."""
    pair = _MESSAGES.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "en" else pair[1]
