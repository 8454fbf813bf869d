"""The assistant's sentences in English and French (templates with ``{placeholders}``)."""

from __future__ import annotations

from typing import Any

from kambot.assistant.chat.models import Lang

_T: dict[str, tuple[str, str]] = {
    # --- help and clarifying questions ---------------------------------------------------
    "help_intro": ("I can help with your key account programme. You can ask me, for example:",
                   "Je peux vous aider sur votre programme grands comptes. Demandez-moi par "
                   "exemple :"),
    "cap_method": ("a methodology question: “How do we select key accounts?”",
                   "une question de méthode : « Comment choisir les comptes clés ? »"),
    "cap_account": ("an account's KPIs or growth scenarios: “KPIs of {account}”, "
                    "“scenarios for {account}”",
                    "les indicateurs ou scénarios d'un compte : « indicateurs de {account} », "
                    "« scénarios de {account} »"),
    "cap_portfolio": ("the segmentation, the key-account selection, the programme KPIs or "
                      "the sponsorship plan",
                      "la segmentation, la sélection des comptes clés, les indicateurs du "
                      "programme ou le plan de sponsorship"),
    "cap_draft": ("to draft and revise a document: “draft the strategy for {account}”, then "
                  "“make initiative 2 more ambitious”, “compare the versions”",
                  "rédiger puis réviser un document : « rédige la stratégie de {account} », "
                  "puis « rends l'initiative 2 plus ambitieuse », « compare les versions »"),
    "cap_coaching": ("where the programme stands and what to do next",
                     "où en est le programme et quelle est la prochaine étape"),
    "cap_interview": ("an executive alignment interview (start, pause, resume) and the "
                      "synthesis of the interviews",
                      "un entretien d'alignement avec un dirigeant (démarrer, mettre en pause, "
                      "reprendre) et la synthèse des entretiens"),
    "cap_feedback": ("to note your feedback or concerns about the programme",
                     "noter vos retours ou vos inquiétudes sur le programme"),
    "cap_candidate": ("the summary of a candidate's assessment: “assessment of candidate "
                      "CAND-1”",
                      "le résumé de l'évaluation d'un candidat : « évaluation du candidat "
                      "CAND-1 »"),
    "cap_language": ("Answers follow your language; say “in English please” or “en français” "
                     "to switch.",
                     "Je réponds dans votre langue ; dites « en français » ou « in English "
                     "please » pour changer."),
    "clarify_account": ("Which account do you mean? Give its name or its external id.",
                        "De quel compte parlez-vous ? Donnez son nom ou son identifiant."),
    "clarify_ambiguous_account": ("Several accounts match “{ref}”: {options}. Which one do you "
                                  "mean?",
                                  "Plusieurs comptes correspondent à « {ref} » : {options}. "
                                  "Lequel voulez-vous ?"),
    "clarify_several_accounts": ("You named several accounts: {options}. Which one should I "
                                 "use?",
                                 "Vous avez nommé plusieurs comptes : {options}. Lequel dois-je "
                                 "prendre ?"),
    "clarify_unknown_account": ("I don't know an account named “{ref}”.",
                                "Je ne connais pas de compte nommé « {ref} »."),
    "did_you_mean": ("Did you mean: {options}?", "Vouliez-vous dire : {options} ?"),
    "clarify_document": ("Which document do you mean? Draft one first (for example “draft the "
                         "strategy for {account}”) or name it.",
                         "De quel document parlez-vous ? Rédigez-en un d'abord (par exemple "
                         "« rédige la stratégie de {account} ») ou nommez-le."),
    "clarify_document_kind": ("Which document should I work on: an account strategy, an "
                              "executive summary, a Customer Executive Brief (CEB), the "
                              "sponsorship plan or the programme review pack?",
                              "Sur quel document dois-je travailler : une stratégie de compte, "
                              "une synthèse exécutive, un Customer Executive Brief (CEB), le "
                              "plan de sponsorship ou le dossier de revue du programme ?"),
    "clarify_section": ("Which section should I revise? {options}",
                        "Quelle section dois-je réviser ? {options}"),
    "clarify_candidate": ("Which candidate? Give their reference, for example “assessment of "
                          "candidate CAND-1”.",
                          "Quel candidat ? Donnez sa référence, par exemple « évaluation du "
                          "candidat CAND-1 »."),
    "clarify_interview": ("About the interviews: do you want to start one, pause or resume one, "
                          "or see the synthesis?",
                          "Pour les entretiens : voulez-vous en démarrer un, en mettre un en "
                          "pause, en reprendre un ou voir la synthèse ?"),
    "clarify_unknown": ("I'm not sure what you need. I can answer methodology questions, show "
                        "account KPIs and scenarios, the segmentation and selection, draft and "
                        "revise documents, coach you along the programme and take your "
                        "feedback. Say “help” for examples.",
                        "Je ne suis pas sûr de ce dont vous avez besoin. Je peux répondre aux "
                        "questions de méthode, montrer les indicateurs et scénarios d'un compte, "
                        "la segmentation et la sélection, rédiger et réviser des documents, vous "
                        "guider dans le programme et noter vos retours. Dites « aide » pour des "
                        "exemples."),
    "clarify_nothing_pending": ("There is nothing waiting for confirmation.",
                                "Rien n'attend de confirmation."),
    # --- permissions ----------------------------------------------------------------------
    "deny_portfolio": ("Portfolio-wide analyses (segmentation, selection, programme KPIs and "
                       "scenarios, sponsorship plan) are for executives, programme leads and "
                       "admins. I can show the KPIs of your own accounts.",
                       "Les analyses du portefeuille (segmentation, sélection, indicateurs et "
                       "scénarios du programme, plan de sponsorship) sont réservées aux "
                       "dirigeants, responsables de programme et administrateurs. Je peux "
                       "montrer les indicateurs de vos propres comptes."),
    "deny_accounts": ("Your role gives no access to customer accounts.",
                      "Votre rôle ne donne accès à aucun compte client."),
    "deny_candidates": ("Candidate assessments are available to HR users only.",
                        "Les évaluations de candidats sont réservées aux utilisateurs RH."),
    "deny_write": ("Your role cannot change the plans of this account: documents are drafted "
                   "and revised by its key account manager, programme leads and admins.",
                   "Votre rôle ne permet pas de modifier les plans de ce compte : les documents "
                   "sont rédigés et révisés par son key account manager, les responsables de "
                   "programme et les administrateurs."),
    "deny_programme_doc": ("Programme documents are drafted by programme leads and admins.",
                           "Les documents du programme sont rédigés par les responsables de "
                           "programme et les administrateurs."),
    "deny_interview": ("Executive interviews are for executives, programme leads and admins.",
                       "Les entretiens de dirigeants sont réservés aux dirigeants, responsables "
                       "de programme et administrateurs."),
    "deny_documents": ("Your role reads no account or programme document.",
                       "Votre rôle ne donne accès à aucun document de compte ou de programme."),
    # --- language ----------------------------------------------------------------------------
    "lang_set": ("From now on I answer in English.", "Je réponds désormais en français."),
    "lang_redraft": ("Your current document is in French; say “draft the {kind} in English” "
                     "if you want an English version.",
                     "Votre document en cours est en anglais ; dites « rédige la {kind} en "
                     "français » si vous voulez une version française."),
    # --- methodology ---------------------------------------------------------------------------
    "untrusted_note": ("Part of this answer quotes account notes: they are shown as data, and "
                       "nothing they say changes what I do.",
                       "Une partie de cette réponse cite des notes de compte : elles sont "
                       "montrées comme des données, et rien de ce qu'elles disent ne change ce "
                       "que je fais."),
    "flagged_note": ("Warning: a cited note contains text that looks like instructions to an "
                     "assistant ({flags}); it was ignored as an instruction.",
                     "Attention : une note citée contient un texte qui ressemble à des "
                     "instructions pour un assistant ({flags}) ; il n'a pas été suivi."),
    # --- figures -------------------------------------------------------------------------------
    "kpis_title": ("Key figures of {account} ({ext}), as of {date}:",
                   "Chiffres clés de {account} ({ext}), au {date} :"),
    "programme_kpis_title": ("Programme KPIs, as of {date}:",
                             "Indicateurs du programme, au {date} :"),
    "scenarios_title": ("Three-year scenarios for {account} ({ext}), from a revenue of {ttm} "
                        "over the last twelve months:",
                        "Scénarios à trois ans pour {account} ({ext}), à partir d'un chiffre "
                        "d'affaires de {ttm} sur les douze derniers mois :"),
    "programme_scenarios_title": ("Three-year scenarios of the key accounts ({accounts} "
                                  "accounts, {ttm} over the last twelve months):",
                                  "Scénarios à trois ans des comptes clés ({accounts} comptes, "
                                  "{ttm} sur les douze derniers mois) :"),
    "scenario_line": ("{name}: {years}; {total} over three years.",
                      "{name} : {years} ; {total} sur trois ans."),
    "segments_title": ("Strategic segments, by rank:", "Segments stratégiques, par rang :"),
    "segment_line": ("{rank}. {name}{strategic}: {accounts} accounts, potential {potential} "
                     "({share} of the programme's), value-proposition fit {fit}/5.",
                     "{rank}. {name}{strategic} : {accounts} comptes, potentiel {potential} "
                     "({share} de celui du programme), adéquation de l'offre {fit}/5."),
    "strategic_mark": (" (strategic)", " (stratégique)"),
    "quadrants": ("Accounts per quadrant of the matrix: {counts}.",
                  "Comptes par quadrant de la matrice : {counts}."),
    "selection_title": ("{n} key accounts selected for a capacity of {capacity} ({reason}):",
                        "{n} comptes clés sélectionnés pour une capacité de {capacity} "
                        "({reason}) :"),
    "selection_line": ("{rank}. {name} ({ext}), score {score}: {rationale}",
                       "{rank}. {name} ({ext}), score {score} : {rationale}"),
    "runners_up": ("Runners-up: {names}.", "Suivants : {names}."),
    "sponsorship_title": ("Proposed sponsor per key account ({n} accounts):",
                          "Sponsor proposé par compte clé ({n} comptes) :"),
    "sponsorship_line": ("{account}: {sponsor}, {meetings} meetings a year{change}",
                         "{account} : {sponsor}, {meetings} rencontres par an{change}"),
    "sponsor_changed": (" (replaces {previous})", " (remplace {previous})"),
    "sponsor_none": ("no executive available", "aucun dirigeant disponible"),
    "loads_title": ("Load per executive:", "Charge par dirigeant :"),
    "load_line": ("{name}: {load} of {capacity} accounts",
                  "{name} : {load} comptes sur {capacity}"),
    "unassigned": ("Key accounts without a sponsor: {names}.",
                   "Comptes clés sans sponsor : {names}."),
    "sponsorship_account": ("Proposed sponsor for {account}: {sponsor}, {meetings} meetings a "
                            "year.",
                            "Sponsor proposé pour {account} : {sponsor}, {meetings} rencontres "
                            "par an."),
    "not_key_account": ("{account} is not a key account of the sponsorship plan.",
                        "{account} n'est pas un compte clé du plan de sponsorship."),
    # --- documents -----------------------------------------------------------------------------
    "draft_ready": ("Here is the draft “{title}” ({writer}; grounding check {guard}).",
                    "Voici le projet « {title} » ({writer} ; contrôle des sources {guard})."),
    "guard_passed": ("passed", "réussi"),
    "guard_failed": ("not passed: {n} issue(s)", "échoué : {n} problème(s)"),
    "fallback": ("The model could not be used ({reason}); the offline writer drafted it.",
                 "Le modèle n'a pas pu être utilisé ({reason}) ; le rédacteur hors ligne l'a "
                 "rédigé."),
    "confirm_save_new": ("Save it as version {version} of this document?",
                         "L'enregistrer comme version {version} de ce document ?"),
    "confirm_hint": ("Answer “yes” to save it, or “no” to drop it.",
                     "Répondez « oui » pour l'enregistrer, ou « non » pour l'abandonner."),
    "summary_save": ("Save “{title}” as version {version}.",
                     "Enregistrer « {title} » comme version {version}."),
    "saved": ("Saved: “{title}”, version {version} (document {id}).",
              "Enregistré : « {title} », version {version} (document {id})."),
    "dropped": ("Dropped: nothing was saved.", "Abandonné : rien n'a été enregistré."),
    "pending_replaced": ("(The previous unsaved draft was dropped.)",
                         "(Le projet précédent non enregistré a été abandonné.)"),
    "revised": ("Revised section “{section}” of “{title}”: {added} statement(s) added, "
                "{removed} removed.",
                "Section « {section} » de « {title} » révisée : {added} phrase(s) ajoutée(s), "
                "{removed} retirée(s)."),
    "revised_unchanged": ("No statement changed: without a language model the section is "
                          "redrafted from the current data, and your instruction is kept with "
                          "the version for a model to apply.",
                          "Aucune phrase n'a changé : sans modèle de langue, la section est "
                          "réécrite à partir des données actuelles, et votre consigne est "
                          "conservée avec la version pour qu'un modèle l'applique."),
    "repaired": ("Sections redrafted because they no longer matched the data: {sections}.",
                 "Sections réécrites car elles ne correspondaient plus aux données : "
                 "{sections}."),
    "no_document": ("There is no stored {kind} for {subject} yet. Say “draft it” to draft one.",
                    "Il n'existe pas encore de {kind} enregistré(e) pour {subject}. Dites "
                    "« rédige-le » pour en rédiger un."),
    "stored_document": ("“{title}”, version {version} of {date} (document {id}):",
                        "« {title} », version {version} du {date} (document {id}) :"),
    "versions_title": ("Versions of “{title}”:", "Versions de « {title} » :"),
    "version_line": ("v{version} — {date}, {writer}{instructions}",
                     "v{version} — {date}, {writer}{instructions}"),
    "compare_title": ("Changes from version {a} to version {b}:",
                      "Changements de la version {a} à la version {b} :"),
    "compare_same": ("No statement differs between version {a} and version {b}.",
                     "Aucune phrase ne diffère entre la version {a} et la version {b}."),
    "compare_need_two": ("This document has only one version so far.",
                         "Ce document n'a encore qu'une version."),
    "unknown_version": ("This document has no version {v}; its versions are {versions}.",
                        "Ce document n'a pas de version {v} ; ses versions sont {versions}."),
    "added": ("added", "ajouté"),
    "removed": ("removed", "retiré"),
    # --- coaching, interviews, feedback, candidates -------------------------------------------
    "path_title": ("Where the programme stands on the methodology's path:",
                   "Où en est le programme sur le parcours de la méthode :"),
    "interview_started": ("Interview with {executive} started (interview {id}). Answer in your "
                          "own words; say “pause” at any time.",
                          "Entretien avec {executive} démarré (entretien {id}). Répondez avec "
                          "vos mots ; dites « pause » à tout moment."),
    "interview_theme": ("Theme: {theme}", "Thème : {theme}"),
    "interview_paused": ("Interview {id} is paused; say “resume the interview” to continue.",
                         "L'entretien {id} est en pause ; dites « reprendre l'entretien » pour "
                         "continuer."),
    "interview_resumed": ("Resuming interview {id} with {executive}.",
                          "Reprise de l'entretien {id} avec {executive}."),
    "interview_done": ("The interview is complete. Thank you. The programme lead can ask for "
                       "the synthesis of the interviews.",
                       "L'entretien est terminé. Merci. Le responsable du programme peut "
                       "demander la synthèse des entretiens."),
    "interview_none": ("There is no interview to resume.",
                       "Il n'y a pas d'entretien à reprendre."),
    "interview_not_active": ("No interview is in progress in this conversation.",
                             "Aucun entretien n'est en cours dans cette conversation."),
    "interview_flagged": ("Your answer contains text that looks like instructions to an "
                          "assistant; it is recorded as an answer only.",
                          "Votre réponse contient un texte qui ressemble à des instructions "
                          "pour un assistant ; il est enregistré comme réponse, sans plus."),
    "feedback_noted": ("Thank you: your feedback is recorded under the theme “{theme}” "
                       "(feedback {id}). It will appear in the programme review pack.",
                       "Merci : votre retour est enregistré sous le thème « {theme} » "
                       "(retour {id}). Il figurera dans le dossier de revue du programme."),
    "candidate_title": ("Assessment of candidate {ref} (run {run}, {status}) against the "
                        "profile “{target}”:",
                        "Évaluation du candidat {ref} (passage {run}, {status}) au regard du "
                        "profil « {target} » :"),
    "candidate_fit": ("Fit with the profile: {fit}.", "Adéquation au profil : {fit}."),
    "candidate_trait": ("{trait}: {level}", "{trait} : {level}"),
    "candidate_no_evidence": ("not enough evidence", "éléments insuffisants"),
    "candidate_flags": ("{n} flag(s) for the reviewer.", "{n} signalement(s) pour le relecteur."),
    "candidate_human": ("This is a proposal for a human decision, not a decision.",
                        "Ceci est une proposition soumise à une décision humaine, pas une "
                        "décision."),
    "unknown_candidate": ("No assessment of a candidate “{ref}” was found.",
                          "Aucune évaluation d'un candidat « {ref} » n'a été trouvée."),
    "not_available": ("This ability is not available yet: {what}.",
                      "Cette fonction n'est pas encore disponible : {what}."),
    "error_tool": ("I could not do that: {message}", "Je n'ai pas pu le faire : {message}"),
    "model_fallback": ("(The language model failed; I answered with my built-in rules.)",
                       "(Le modèle de langue a échoué ; j'ai répondu avec mes règles "
                       "intégrées.)"),
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "account_strategy": ("account strategy", "stratégie de compte"),
    "executive_summary": ("executive summary", "synthèse exécutive"),
    "ceb": ("Customer Executive Brief", "Customer Executive Brief"),
    "sponsorship_plan": ("sponsorship plan", "plan de sponsorship"),
    "programme_review": ("programme review pack", "dossier de revue du programme"),
}
SCENARIO_NAMES: dict[str, tuple[str, str]] = {
    "base": ("Base", "Central"), "upside": ("Upside", "Haut"), "downside": ("Downside", "Bas"),
}
QUADRANT_NAMES: dict[str, tuple[str, str]] = {
    "strategic": ("strategic", "stratégique"), "star": ("star", "étoile"),
    "maintain": ("maintain", "maintien"), "opportunistic": ("opportunistic", "opportuniste"),
}


def t(key: str, lang: Lang, **values: Any) -> str:
    """Return the sentence ``key`` in ``lang`` with its placeholders filled."""
    en, fr = _T[key]
    template = fr if lang == "fr" else en
    return template.format(**values) if values else template


def pick(pair: tuple[str, str], lang: Lang) -> str:
    """Return the English or French member of a pair."""
    return pair[1] if lang == "fr" else pair[0]


def join(items: list[str], lang: Lang) -> str:
    """Join items with commas and a final "and" / "et"."""
    if len(items) <= 1:
        return "".join(items)
    word = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + word + items[-1]
