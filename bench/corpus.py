"""Synthetic corpora of parliamentary questions, in the Assemblée's official layouts, for benchmarks.

:func:`generate` yields question records in the official JSON shape (the content of ``{"question": {...}}``:
every key present, ``None`` where absent, every scalar a string, ``@xmlns`` keys), drawn from a real
registry (:class:`kg.registry.Registry`): each question's author, mandate, group, constituency and ministries
are those the registry holds for the question's dates. :func:`write_corpus` writes a stream of records in one
of the :data:`LAYOUTS`, streaming (nothing but the open files is held in memory).

Everything is deterministic: the same ``count``, ``seed`` and registry give the same records, and the writers
the same bytes (zip members carry a fixed timestamp).

How records are drawn (see ``docs/inputs.md``, ``docs/model.md`` and ``kg/data/sample/SOURCES.md``):

* the corpus is split by legislature (:data:`LEGISLATURE_WEIGHTS`, over those the registry covers) and type
  (QE 90 %, QOSD 4 %, QG 6 %); numbers run 1, 2, 3… per (legislature, type) in date order;
* a question is published on a day where the registry has ministries (periods it lacks, such as September
  2024 – October 2025, are skipped: :data:`REGISTRY_MINISTRY_GAPS`; governments left open in the data are
  closed by the next government), on a Tuesday (the JO "Questions" issue; QG on Tuesdays and Wednesdays
  outside August, the sitting day), by a deputy whose ASSEMBLEE mandate (from ``datePriseFonction``) and
  political-group membership are valid that day; deputies are unequally active (a fixed, seeded weight each);
* ministries are chosen among those valid on the day, matching the rubrique when one does;
* outcomes follow the procedure: answers 1–12 months later (QOSD a week later in the sitting, QG the same
  day), signalements two months or more after publication and answered about a week after, renewals,
  re-attributions to other ministries valid at the later dates (after a reshuffle: the successor ministry on
  its first day), withdrawals "Fin de mandat" at the end of the mandate, a few "Retirée par l'auteur"
  (code ``RET_AUT``, which the reader reports as an unknown closure code), and questions still open when the
  mandate has not ended by :data:`CORPUS_END`;
* texts are French, 600–2000 characters, assembled from sentence templates (HTML ``<p>`` sometimes);
  about 5 % of 15th-legislature records spell some dates ``DD/MM/YYYY``.
"""

from __future__ import annotations

import itertools
import math
import random
import unicodedata
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from kg.models import Mandate, Organe
from kg.registry import Registry, load_registry
from kg.sources.pages import MONTHS

__all__ = [
    "CORPUS_END",
    "LAYOUTS",
    "LEGISLATURE_WEIGHTS",
    "REGISTRY_MINISTRY_GAPS",
    "TYPE_WEIGHTS",
    "WriteStats",
    "default_registry_paths",
    "generate",
    "record_to_xml",
    "variants",
    "write_corpus",
]

Record = dict[str, Any]

#: The layouts :func:`write_corpus` writes.
LAYOUTS = ("json-files", "zip", "single-json", "xml-files", "single-xml")

#: The last day of the synthetic corpus: the registries were captured in January 2026, so nothing later is
#: known of mandates and ministries. Questions whose author is still in office then are left open.
CORPUS_END = date(2026, 1, 27)

#: Periods where the registry has no ministry of the government in office (see "Unusual registry data" in
#: ``kg/data/sample/SOURCES.md``): the Barnier, Bayrou and first Lecornu governments. No question is dated in them.
REGISTRY_MINISTRY_GAPS: tuple[tuple[date, date], ...] = ((date(2024, 9, 21), date(2025, 10, 12)),)

#: Share of the corpus per legislature (renormalised over the legislatures the registry covers). The current
#: legislature is given a large share so that ~20 % of the corpus is still open, as in a live dump.
LEGISLATURE_WEIGHTS: dict[int, float] = {14: 0.15, 15: 0.33, 16: 0.20, 17: 0.32}

#: Share of each question type.
TYPE_WEIGHTS: dict[str, float] = {"QE": 0.90, "QOSD": 0.04, "QG": 0.06}

NS = "http://schemas.assemblee-nationale.fr/referentiel"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPES = {"QE": "QuestionEcrite_Type", "QOSD": "QuestionOrale_Type", "QG": "QuestionGouvernement_Type"}
#: File-name stem and collection key of the single-file layouts, by type.
COLLECTIONS = {
    "QE": ("Questions_ecrites", "questionsEcrites"),
    "QOSD": ("Questions_orales_sans_debat", "questionsOralesSansDebat"),
    "QG": ("Questions_gouvernement", "questionsGouvernement"),
}

# Probabilities of the variants (tuned so that the corpus mix is answered ~70 %, re-attributed ~10 %,
# signalement ~3 %, renewals ~1 %, 'Fin de mandat' ~8 %, see tests/test_bench_generate.py).
P_ANSWER_QE = 0.93  # before the constraint that the answer comes before the mandate ends / CORPUS_END
P_ANSWER_QE_CURRENT = 0.5  # when the author's mandate runs on at CORPUS_END: recent questions wait
P_ANSWER_QOSD = 0.95
P_WITHDRAWN_BY_AUTHOR = 0.006
P_REATTRIBUTED = 0.13
P_THIRD_ATTRIBUTION = 0.2
P_SIGNALEMENT = 0.055
P_RENEWAL = 0.04
P_OTHER_MIN_INT = 0.05
P_FR_DATES_L15 = 0.05
P_TETE_QE = 0.15
P_TETE_QG = 0.6
P_TWO_ANALYSES = 0.02
P_EMPTY_RUBRIQUE = 0.002
P_ERRATUM = 0.004
P_JO_DETAILS = 0.06
P_HTML_QUESTION = 0.12
P_HTML_ANSWER = 0.75
P_CURLY_APOSTROPHE = 0.25

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


# ------------------------------------------------------------------ vocabulary

# (rubrique, weight, ministry keywords (folded, '|'-separated), subjects (noun phrases), têtes d'analyse)
RUBRIQUES: tuple[tuple[str, float, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "agriculture",
        6,
        "agricult",
        (
            "la situation des exploitants agricoles",
            "le revenu des agriculteurs",
            "la transmission des exploitations agricoles",
        ),
        ("exploitants", "aides", "PAC"),
    ),
    (
        "agroalimentaire",
        1.5,
        "agricult|alimentation",
        (
            "la filière agroalimentaire",
            "l'étiquetage de l'origine des produits alimentaires",
            "les négociations commerciales annuelles",
        ),
        ("industrie", "étiquetage"),
    ),
    (
        "aménagement du territoire",
        2,
        "cohesion des territoires|territoires|collectivites",
        (
            "la revitalisation des centres-bourgs",
            "le programme Petites villes de demain",
            "les zones de revitalisation rurale",
        ),
        ("zones rurales",),
    ),
    (
        "anciens combattants et victimes de guerre",
        1.5,
        "anciens combattants|memoire|armees",
        (
            "la retraite du combattant",
            "la reconnaissance des harkis",
            "la demi-part fiscale des veuves d'anciens combattants",
        ),
        ("retraite du combattant", "harkis"),
    ),
    (
        "animaux",
        1.5,
        "agricult|transition ecologique",
        (
            "la protection des animaux de compagnie",
            "la stérilisation des chats errants",
            "le bien-être animal dans les élevages",
        ),
        ("protection",),
    ),
    (
        "arts et spectacles",
        1,
        "culture",
        (
            "la situation des intermittents du spectacle",
            "le soutien aux festivals",
            "les salles de spectacle indépendantes",
        ),
        ("intermittents",),
    ),
    (
        "assurance maladie maternité",
        3,
        "sante|solidarites|sociales",
        (
            "le remboursement des soins dentaires",
            "la prise en charge des transports sanitaires",
            "le déremboursement de certains médicaments",
        ),
        ("prestations", "remboursement"),
    ),
    (
        "assurances",
        1,
        "economie|finances",
        (
            "l'assurance emprunteur",
            "la couverture des risques climatiques par les assureurs",
            "la résiliation des contrats d'assurance",
        ),
        (),
    ),
    (
        "audiovisuel et communication",
        1,
        "culture|numerique",
        (
            "l'avenir de l'audiovisuel public",
            "la réception de la télévision numérique terrestre",
            "le financement des radios associatives",
        ),
        ("radio",),
    ),
    (
        "automobiles",
        1,
        "transports|industrie|economie",
        (
            "le contrôle technique des véhicules",
            "la fin de la vente des véhicules thermiques",
            "le prix des pièces détachées automobiles",
        ),
        (),
    ),
    (
        "banques et établissements financiers",
        1,
        "economie|finances",
        (
            "la fermeture des agences bancaires en zone rurale",
            "les frais bancaires des personnes fragiles",
            "l'accès au crédit des petites entreprises",
        ),
        (),
    ),
    (
        "bâtiment et travaux publics",
        1,
        "logement|transition ecologique|territoires",
        ("les difficultés des entreprises du bâtiment", "la hausse du coût des matériaux de construction"),
        (),
    ),
    (
        "bioéthique",
        0.5,
        "sante",
        ("l'accès aux origines des personnes nées d'un don", "l'autoconservation des ovocytes"),
        (),
    ),
    (
        "bois et forêts",
        1,
        "agricult|forets",
        (
            "la gestion des forêts communales",
            "le renouvellement forestier après les incendies",
            "la filière bois",
        ),
        (),
    ),
    (
        "chasse et pêche",
        1,
        "transition ecologique|mer|agricult",
        ("les dégâts de gibier", "la pêche de loisir en eau douce", "la sécurité à la chasse"),
        (),
    ),
    (
        "collectivités territoriales",
        3,
        "collectivites|territoires|interieur",
        (
            "la dotation globale de fonctionnement des communes",
            "les compétences des intercommunalités",
            "le statut de l'élu local",
        ),
        ("finances locales", "élus locaux"),
    ),
    (
        "commerce et artisanat",
        2,
        "commerce|artisanat|petites et moyennes|economie",
        (
            "la situation des artisans boulangers",
            "la revitalisation du commerce de proximité",
            "les charges des commerçants indépendants",
        ),
        ("artisans", "commerce de proximité"),
    ),
    (
        "communes",
        2,
        "collectivites|territoires|interieur",
        ("les finances des petites communes", "les communes nouvelles", "la responsabilité des maires"),
        ("maires",),
    ),
    (
        "consommation",
        1.5,
        "consommation|economie",
        (
            "le démarchage téléphonique abusif",
            "la hausse des prix alimentaires",
            "l'information des consommateurs",
        ),
        ("protection des consommateurs",),
    ),
    (
        "culture",
        1.5,
        "culture",
        ("le patrimoine des petites communes", "le pass Culture", "la situation des musées territoriaux"),
        ("patrimoine",),
    ),
    (
        "déchets",
        1,
        "transition ecologique|environnement",
        (
            "le recyclage des emballages",
            "les dépôts sauvages de déchets",
            "la taxe générale sur les activités polluantes",
        ),
        (),
    ),
    (
        "défense",
        2,
        "armees|defense",
        (
            "l'entretien des matériels militaires",
            "la fidélisation des militaires",
            "le service national universel",
        ),
        ("armée",),
    ),
    (
        "donations et successions",
        1,
        "economie|comptes publics|finances",
        ("les droits de succession en ligne indirecte", "la fiscalité des donations familiales"),
        (),
    ),
    (
        "drogue",
        0.5,
        "interieur|sante",
        ("la lutte contre le trafic de stupéfiants", "la prévention des addictions chez les jeunes"),
        (),
    ),
    (
        "droits fondamentaux",
        0.7,
        "justice|egalite",
        ("la lutte contre les discriminations", "la protection des lanceurs d'alerte"),
        (),
    ),
    (
        "eau et assainissement",
        1.5,
        "transition ecologique|environnement|territoires",
        (
            "le transfert de la compétence eau et assainissement",
            "la qualité de l'eau potable",
            "la gestion de la ressource en eau",
        ),
        (),
    ),
    (
        "économie sociale et solidaire",
        0.5,
        "economie sociale|economie",
        ("le financement des associations", "les entreprises de l'économie sociale et solidaire"),
        (),
    ),
    (
        "élections et référendums",
        0.7,
        "interieur",
        ("le vote par procuration", "la tenue des listes électorales"),
        (),
    ),
    (
        "élevage",
        1.5,
        "agricult",
        ("la filière bovine", "la prédation du loup sur les troupeaux", "la filière porcine"),
        ("bovins", "ovins"),
    ),
    (
        "emploi et activité",
        2,
        "travail|emploi",
        (
            "l'accompagnement des demandeurs d'emploi",
            "la réforme de l'assurance chômage",
            "les contrats aidés",
        ),
        ("chômage",),
    ),
    (
        "énergie et carburants",
        3,
        "energie|transition ecologique|economie",
        ("le prix de l'électricité", "le prix des carburants", "le chèque énergie"),
        ("électricité", "carburants"),
    ),
    (
        "enfants",
        1.5,
        "famille|enfance|solidarites|sante",
        (
            "la protection de l'enfance",
            "l'accueil du jeune enfant",
            "la situation des assistantes maternelles",
        ),
        ("protection",),
    ),
    (
        "enseignement",
        2.5,
        "education",
        (
            "le remplacement des enseignants absents",
            "l'inclusion des élèves en situation de handicap",
            "la rémunération des enseignants",
        ),
        ("personnel",),
    ),
    (
        "enseignement agricole",
        0.5,
        "agricult",
        ("l'avenir de l'enseignement agricole", "les maisons familiales rurales"),
        (),
    ),
    (
        "enseignement maternel et primaire",
        1.5,
        "education",
        ("les fermetures de classes en milieu rural", "le dédoublement des classes"),
        ("fermetures de classes",),
    ),
    (
        "enseignement secondaire",
        1.5,
        "education",
        ("la réforme du lycée professionnel", "l'organisation du baccalauréat"),
        (),
    ),
    (
        "enseignement supérieur",
        1.5,
        "enseignement superieur|recherche",
        ("la précarité étudiante", "la plateforme Parcoursup", "les bourses sur critères sociaux"),
        ("étudiants",),
    ),
    (
        "entreprises",
        2,
        "economie|industrie|petites et moyennes",
        (
            "les délais de paiement des entreprises",
            "la transmission des petites entreprises",
            "le remboursement des prêts garantis par l'État",
        ),
        ("PME",),
    ),
    (
        "environnement",
        2,
        "transition ecologique|environnement|biodiversite",
        (
            "la protection de la biodiversité",
            "l'artificialisation des sols",
            "la préservation des zones humides",
        ),
        (),
    ),
    (
        "établissements de santé",
        2,
        "sante|solidarites",
        (
            "la situation des urgences hospitalières",
            "les maternités de proximité",
            "le financement des hôpitaux",
        ),
        ("hôpitaux",),
    ),
    (
        "État",
        0.8,
        "fonction publique|transformation|comptes publics",
        ("la présence des services de l'État dans les territoires", "les maisons France services"),
        (),
    ),
    (
        "étrangers",
        1.5,
        "interieur",
        ("les délais de délivrance des titres de séjour", "l'accueil des demandeurs d'asile"),
        ("titres de séjour",),
    ),
    (
        "famille",
        1.5,
        "famille|solidarites",
        ("le recouvrement des pensions alimentaires", "le congé parental"),
        (),
    ),
    (
        "femmes",
        1,
        "egalite|femmes",
        ("la lutte contre les violences conjugales", "l'égalité salariale entre les femmes et les hommes"),
        ("violences",),
    ),
    (
        "fonction publique hospitalière",
        1,
        "sante|solidarites",
        ("les conditions de travail des infirmiers", "la revalorisation des personnels soignants"),
        (),
    ),
    (
        "fonction publique territoriale",
        1,
        "collectivites|fonction publique|territoires",
        ("la rémunération des agents territoriaux", "le recrutement des secrétaires de mairie"),
        (),
    ),
    (
        "fonctionnaires et agents publics",
        1.5,
        "fonction publique|comptes publics|transformation",
        ("la valeur du point d'indice", "le télétravail dans la fonction publique"),
        ("rémunérations",),
    ),
    (
        "formation professionnelle et apprentissage",
        1.5,
        "travail|formation",
        ("le financement de l'apprentissage", "le compte personnel de formation"),
        ("apprentissage",),
    ),
    (
        "français de l'étranger",
        1,
        "affaires etrangeres|europe|etranger",
        ("le fonctionnement des services consulaires", "la scolarité des enfants français à l'étranger"),
        (),
    ),
    (
        "frontaliers",
        0.5,
        "economie|comptes publics|affaires etrangeres",
        ("la fiscalité des travailleurs frontaliers", "l'indemnisation du chômage des frontaliers"),
        (),
    ),
    (
        "impôt sur le revenu",
        2,
        "comptes publics|economie|finances",
        ("le prélèvement à la source", "la déductibilité des pensions alimentaires"),
        ("calcul",),
    ),
    (
        "impôts et taxes",
        2,
        "comptes publics|economie|finances",
        ("la fiscalité des carburants", "la taxe sur les logements vacants"),
        (),
    ),
    (
        "impôts locaux",
        1.5,
        "comptes publics|collectivites|economie",
        ("la révision des valeurs locatives", "le montant de la taxe foncière"),
        ("taxe foncière",),
    ),
    (
        "industrie",
        1.5,
        "industrie|economie",
        ("la relocalisation industrielle", "la fermeture de sites industriels"),
        (),
    ),
    (
        "jeunes",
        1,
        "jeunesse|education|sports",
        ("l'engagement des jeunes", "l'insertion professionnelle des jeunes"),
        (),
    ),
    (
        "justice",
        2.5,
        "justice",
        ("les délais de jugement", "les effectifs des greffes", "la surpopulation carcérale"),
        ("tribunaux", "prisons"),
    ),
    (
        "logement",
        3,
        "logement|ville|territoires",
        (
            "l'accès au logement social",
            "la rénovation énergétique des logements",
            "l'encadrement des loyers",
        ),
        ("logement social",),
    ),
    (
        "logement : aides et prêts",
        1.5,
        "logement|ville",
        ("le dispositif MaPrimeRénov'", "le prêt à taux zéro", "les aides personnalisées au logement"),
        (),
    ),
    (
        "marchés publics",
        0.7,
        "economie|comptes publics",
        ("l'accès des PME à la commande publique", "la révision des prix des marchés publics"),
        (),
    ),
    (
        "mer et littoral",
        1,
        "mer|transition ecologique",
        ("l'érosion du trait de côte", "la pêche côtière"),
        (),
    ),
    (
        "mort et décès",
        0.5,
        "interieur|sante",
        ("les délais d'inhumation", "le coût des obsèques"),
        (),
    ),
    (
        "numérique",
        2,
        "numerique|telecommunications|economie",
        (
            "la couverture en fibre optique",
            "la fracture numérique",
            "la protection des données personnelles",
        ),
        ("fracture numérique",),
    ),
    (
        "ordre public",
        1.5,
        "interieur",
        ("les violences urbaines", "les rodéos motorisés"),
        (),
    ),
    (
        "outre-mer",
        2,
        "outre-mer",
        ("la vie chère en outre-mer", "la continuité territoriale", "l'accès à l'eau potable en outre-mer"),
        (),
    ),
    (
        "personnes âgées",
        2.5,
        "autonomie|solidarites|sante|personnes agees",
        (
            "le taux d'encadrement en EHPAD",
            "le maintien à domicile des personnes âgées",
            "l'allocation personnalisée d'autonomie",
        ),
        ("EHPAD", "dépendance"),
    ),
    (
        "personnes handicapées",
        2.5,
        "handicap|solidarites|autonomie",
        (
            "l'allocation aux adultes handicapés",
            "les accompagnants d'élèves en situation de handicap",
            "la prestation de compensation du handicap",
        ),
        ("allocation aux adultes handicapés",),
    ),
    (
        "pharmacie et médicaments",
        2,
        "sante",
        ("les pénuries de médicaments", "la situation des pharmacies d'officine"),
        ("médicaments",),
    ),
    (
        "police",
        1.5,
        "interieur",
        ("les effectifs de police", "les conditions de travail des policiers"),
        (),
    ),
    (
        "politique extérieure",
        1,
        "affaires etrangeres|europe",
        ("l'aide publique au développement", "la situation au Proche-Orient"),
        (),
    ),
    (
        "politique sociale",
        1.5,
        "solidarites|sociales|travail",
        ("le revenu de solidarité active", "la lutte contre la pauvreté"),
        (),
    ),
    (
        "pollution",
        1,
        "transition ecologique|environnement|sante",
        ("la qualité de l'air", "les pollutions aux PFAS"),
        (),
    ),
    (
        "pouvoir d'achat",
        1.5,
        "economie|travail",
        ("le pouvoir d'achat des ménages modestes", "l'indexation des pensions"),
        (),
    ),
    (
        "professions de santé",
        3,
        "sante",
        ("les déserts médicaux", "la démographie médicale", "la situation des infirmiers libéraux"),
        ("médecins", "infirmiers"),
    ),
    (
        "professions et activités sociales",
        1.5,
        "solidarites|autonomie|travail",
        ("la situation des aides à domicile", "la revalorisation des travailleurs sociaux"),
        (),
    ),
    (
        "recherche et innovation",
        0.8,
        "recherche|enseignement superieur",
        ("le financement de la recherche publique", "le crédit d'impôt recherche"),
        (),
    ),
    (
        "retraites : généralités",
        2,
        "travail|solidarites|comptes publics|sociales",
        ("la réforme des retraites", "les pensions de réversion", "les carrières longues"),
        (),
    ),
    (
        "retraites : régime agricole",
        1,
        "agricult|travail",
        ("le montant des retraites agricoles", "la retraite des conjoints collaborateurs"),
        (),
    ),
    (
        "ruralité",
        1,
        "ruralite|territoires|collectivites",
        ("les services publics en milieu rural", "l'agenda rural"),
        (),
    ),
    (
        "santé",
        4,
        "sante",
        (
            "la prise en charge de l'endométriose",
            "la santé mentale des jeunes",
            "le dépistage des cancers",
        ),
        ("politique de la santé", "maladies"),
    ),
    (
        "sécurité des biens et des personnes",
        1.5,
        "interieur",
        ("la situation des sapeurs-pompiers volontaires", "les moyens de la sécurité civile"),
        ("sapeurs-pompiers",),
    ),
    (
        "sécurité routière",
        1,
        "interieur|transports",
        ("les radars automatiques", "la sécurité des passages à niveau"),
        (),
    ),
    (
        "sécurité sociale",
        1,
        "comptes publics|sante|solidarites",
        ("la lutte contre la fraude sociale", "les cotisations des travailleurs indépendants"),
        (),
    ),
    (
        "services publics",
        1,
        "fonction publique|transformation|territoires",
        ("la fermeture des bureaux de poste", "la dématérialisation des démarches administratives"),
        (),
    ),
    (
        "sports",
        1,
        "sports",
        ("le financement des clubs sportifs amateurs", "le sport sur ordonnance"),
        (),
    ),
    (
        "télécommunications",
        1,
        "numerique|telecommunications|economie",
        ("la couverture en téléphonie mobile", "la résorption des zones blanches"),
        (),
    ),
    (
        "tourisme et loisirs",
        0.8,
        "tourisme|economie",
        ("la régulation des meublés de tourisme", "le tourisme rural"),
        (),
    ),
    (
        "transports",
        2,
        "transports",
        ("les mobilités en zone rurale", "la gratuité des transports collectifs"),
        (),
    ),
    (
        "transports ferroviaires",
        1.5,
        "transports",
        ("la desserte ferroviaire des territoires", "l'avenir des petites lignes ferroviaires"),
        (),
    ),
    (
        "transports routiers",
        0.8,
        "transports",
        ("le transport routier de marchandises", "l'entretien des routes nationales"),
        (),
    ),
    (
        "travail",
        1.5,
        "travail",
        ("la médecine du travail", "la prévention des accidents du travail"),
        (),
    ),
    (
        "TVA",
        0.8,
        "comptes publics|economie",
        ("le taux de TVA applicable à la rénovation", "la TVA sur les produits de première nécessité"),
        (),
    ),
    (
        "union européenne",
        0.7,
        "europe|affaires etrangeres",
        ("la politique agricole commune", "l'accès aux fonds européens"),
        (),
    ),
    (
        "urbanisme",
        1,
        "logement|territoires|transition ecologique",
        ("l'objectif de zéro artificialisation nette", "l'instruction des permis de construire"),
        (),
    ),
)

_TITLE_HEADS = (
    "Situation",
    "Avenir",
    "Financement",
    "Difficultés",
    "Évolution",
    "Modalités",
    "Réforme",
    "Mesures en faveur",
)

_Q_OPENINGS = (
    "{auteur} attire l'attention de {ministre} sur {np}.",
    "{auteur} appelle l'attention de {ministre} sur {np}.",
    "{auteur} interroge {ministre} sur {np}.",
    "{auteur} alerte {ministre} sur {np}.",
)

_Q_CONTEXT = (
    "De nombreux élus locaux lui ont fait part de leur inquiétude face à la dégradation de la situation, "
    "qui touche particulièrement les territoires ruraux et les villes moyennes.",
    "Dans sa circonscription ({circo}), plusieurs acteurs de terrain constatent que les dispositifs existants "
    "ne répondent plus aux besoins exprimés par la population.",
    "Selon les chiffres disponibles, près de {pct} % des personnes concernées déclarent avoir renoncé à faire "
    "valoir leurs droits en raison de la complexité des démarches.",
    "Les associations du secteur soulignent que les moyens alloués n'ont pas été revalorisés depuis {year}, "
    "alors que les charges ont fortement augmenté.",
    "Cette situation crée une rupture d'égalité entre les territoires, au détriment des habitants des zones "
    "les plus éloignées des grands centres urbains.",
    "Les professionnels concernés dénoncent des délais de traitement excessifs, qui atteignent parfois "
    "{n} mois, et un manque de visibilité sur les financements.",
    "La question {de_np} fait l'objet de nombreuses sollicitations de la part des administrés, qui ne "
    "comprennent pas l'absence de réponse claire des services de l'État.",
    "Un rapport publié en {year} soulignait déjà la nécessité d'une réforme d'ampleur, dont les "
    "recommandations sont restées pour l'essentiel lettre morte.",
    "Les collectivités territoriales, qui ont consenti des efforts importants, ne peuvent pas se substituer "
    "durablement à l'État dans ce domaine.",
    "La hausse continue des coûts, estimée à {pct} % sur les trois dernières années, fragilise l'équilibre "
    "économique de nombreuses structures.",
    "Les familles concernées font état d'un sentiment d'abandon et d'un manque d'information sur les aides "
    "auxquelles elles pourraient prétendre.",
    "Les annonces faites à l'occasion de la dernière loi de finances n'ont pas encore été suivies de mesures "
    "concrètes sur le terrain.",
    "Dans le département, {n} structures ont déjà dû réduire leur activité, et d'autres envisagent de "
    "cesser leurs activités dans les prochains mois.",
    "La réglementation actuelle, jugée trop rigide, ne permet pas de prendre en compte la diversité des "
    "situations locales.",
    "Les organisations professionnelles réclament depuis plusieurs années une simplification des normes et "
    "une meilleure concertation avec les services déconcentrés.",
    "Le manque de personnel qualifié aggrave encore les difficultés, les postes vacants restant souvent "
    "sans candidat pendant plusieurs mois.",
    "Les usagers constatent une dégradation de la qualité du service rendu, alors même que les besoins ne "
    "cessent de croître.",
    "Plusieurs pays européens ont mis en place des dispositifs plus ambitieux, dont la France pourrait "
    "utilement s'inspirer.",
    "Les conséquences {de_np} sur l'emploi local et sur l'attractivité des territoires sont particulièrement "
    "préoccupantes.",
    "Les crédits inscrits au budget pour {year} apparaissent très en deçà des besoins recensés par les "
    "acteurs de terrain.",
    "Une concertation avait été annoncée avec l'ensemble des parties prenantes, mais elle n'a toujours pas "
    "abouti à des propositions concrètes.",
    "Les disparités observées d'un département à l'autre traduisent l'absence de pilotage national et de "
    "critères d'attribution harmonisés.",
)

_Q_CLOSINGS = (
    "{il} lui demande quelles mesures le Gouvernement entend prendre pour remédier à cette situation.",
    "{il} lui demande de bien vouloir lui indiquer les intentions du Gouvernement en la matière.",
    "{il} souhaite connaître les mesures envisagées par le Gouvernement concernant {np}.",
    "{il} lui demande si le Gouvernement entend revoir le dispositif actuel et dans quels délais.",
    "{il} lui demande de préciser le calendrier et les moyens prévus pour améliorer {np}.",
)

_A_OPENINGS = (
    "Le Gouvernement est pleinement conscient des enjeux liés {a_np}.",
    "La question {de_np} fait l'objet d'une attention particulière du Gouvernement.",
    "Le Gouvernement partage le constat formulé par l'auteur de la question concernant {np}.",
    "L'amélioration de {np_bare} constitue une priorité de l'action du Gouvernement.",
)

_A_CONTEXT = (
    "Plusieurs mesures ont été adoptées dans le cadre de la loi de finances pour {year}, qui a augmenté les "
    "crédits consacrés à ce domaine de {pct} %.",
    "Une concertation a été engagée avec les représentants des collectivités territoriales, des "
    "professionnels et des usagers afin d'identifier les leviers d'amélioration.",
    "Les services de l'État sont mobilisés pour accompagner les acteurs locaux et faciliter la mise en "
    "œuvre des dispositifs existants.",
    "Un décret publié en {year} a simplifié les procédures et réduit les délais d'instruction des demandes.",
    "Le Gouvernement a par ailleurs confié une mission d'évaluation à l'inspection générale, dont les "
    "conclusions seront rendues publiques.",
    "Les données les plus récentes font apparaître une amélioration sensible, avec une hausse de {pct} % "
    "du nombre de bénéficiaires en un an.",
    "Des instructions ont été données aux préfets afin que les situations particulières soient examinées "
    "avec la plus grande attention.",
    "Le dispositif fera l'objet d'une évaluation approfondie, qui permettra le cas échéant d'en ajuster les "
    "paramètres.",
    "Le Gouvernement reste attentif aux difficultés rencontrées dans certains territoires et étudie les "
    "adaptations qui pourraient être apportées à la réglementation.",
    "Un comité de suivi associant l'ensemble des parties prenantes se réunit désormais chaque trimestre.",
    "Les moyens humains ont été renforcés, avec le recrutement de {n} agents supplémentaires au cours des "
    "deux dernières années.",
    "Une plateforme d'information a été mise à la disposition du public afin de faciliter l'accès aux aides "
    "et aux démarches.",
    "Ces mesures s'inscrivent dans une stratégie pluriannuelle dont les premiers résultats sont "
    "encourageants.",
    "Le Gouvernement n'envisage pas, à ce stade, de modifier le cadre législatif en vigueur, qui offre déjà "
    "des marges de manœuvre importantes aux acteurs locaux.",
    "S'agissant plus particulièrement des territoires ruraux, un accompagnement spécifique est prévu, en "
    "lien avec les collectivités.",
    "Les dispositions réglementaires nécessaires sont en cours d'élaboration et devraient être publiées "
    "dans les prochains mois.",
    "Ces orientations ont été présentées aux organisations représentatives, qui ont été associées à leur "
    "élaboration.",
    "L'ensemble de ces mesures représente un effort financier de plus de {n} millions d'euros.",
)

_A_CLOSINGS = (
    "Le Gouvernement continuera de suivre avec attention l'évolution de la situation.",
    "Le Gouvernement reste pleinement mobilisé sur ce sujet.",
    "Ces travaux se poursuivront en lien étroit avec les élus et les acteurs de terrain.",
)

_DEBATE_CHAIR = ("Mme la présidente", "M. le président")


# ------------------------------------------------------------------ small helpers


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _de(np: str) -> str:
    """``de`` + a noun phrase, with the contractions (du, des)."""
    if np.startswith("le "):
        return "du " + np[3:]
    if np.startswith("les "):
        return "des " + np[4:]
    return "de " + np


def _a(np: str) -> str:
    """``à`` + a noun phrase, with the contractions (au, aux)."""
    if np.startswith("le "):
        return "au " + np[3:]
    if np.startswith("les "):
        return "aux " + np[4:]
    return "à " + np


def _bare(np: str) -> str:
    """The noun phrase without its article (for titles)."""
    for article in ("le ", "la ", "les ", "l'"):
        if np.startswith(article):
            return np[len(article) :]
    return np


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _next_weekday(day: date, weekday: int) -> date:
    """``day`` itself if it is that weekday, else the next one."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _iso(day: date) -> str:
    return day.isoformat()


def _french(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _in_gap(day: date) -> bool:
    return any(start <= day <= end for start, end in REGISTRY_MINISTRY_GAPS)


def _roman(number: int) -> str:
    out = []
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


# ------------------------------------------------------------------ the registry, as the generator sees it


@dataclass(frozen=True, slots=True)
class _Segment:
    """A stretch of days where a deputy holds one mandate and one group membership."""

    person_uid: str
    mandate: Mandate
    group: Organe
    start: date
    end: date
    mandate_end: date | None  # when the mandate ends ("Fin de mandat"); None while it runs on
    author: str  # "M. Prénom Nom"
    feminine: bool
    circo: str  # "Hauts-de-Seine, 6e circonscription"
    weight: float


@dataclass(slots=True)
class _Ministry:
    organe: Organe
    start: date
    end: date
    short: str  # folded libelleAbrege ("agriculture et alimentation"): what the rubrique is matched against
    folded: str  # folded libelle (a delegated ministry's names its parent ministry too)
    main: bool
    title: str  # "ministre de l'agriculture et de l'alimentation" (without M. le / Mme la)


@dataclass(slots=True)
class _Day:
    """Who can ask, and which ministries can be asked, on one day."""

    segments: list[_Segment]
    cum_weights: list[float]
    ministries: list[_Ministry]


@dataclass(slots=True)
class _World:
    registry: Registry
    until: date
    legislatures: dict[int, tuple[date, date]]  # legislature -> (first day, last day or until)
    segments: dict[int, list[_Segment]]
    ministries: list[_Ministry]
    by_uid: dict[str, _Ministry]
    days: dict[tuple[int, date], _Day | None] = field(default_factory=dict)
    ministries_on: dict[date, list[_Ministry]] = field(default_factory=dict)
    matching: dict[tuple[date, str], list[_Ministry]] = field(default_factory=dict)


def _legislature_bounds(registry: Registry, until: date) -> dict[int, tuple[date, date]]:
    """First and last day of each legislature: its ASSEMBLEE organe, else the span of its deputies' mandates."""
    bounds: dict[int, tuple[date, date]] = {}
    for organe in registry.organes_of_type("ASSEMBLEE"):
        legislature = organe.legislature
        if legislature is None and organe.label:
            digits = "".join(ch for ch in organe.label if ch.isdigit())
            legislature = int(digits) if digits else None
        if legislature in LEGISLATURE_WEIGHTS and organe.start is not None:
            bounds[legislature] = (organe.start, min(organe.end or until, until))
    spans: dict[int, tuple[date, date]] = {}
    for mandate in registry.mandates.values():
        leg = mandate.legislature
        if mandate.organe_type != "ASSEMBLEE" or leg not in LEGISLATURE_WEIGHTS or mandate.start is None:
            continue
        last = min(mandate.end or until, until)
        low, high = spans.get(leg, (mandate.start, last))
        spans[leg] = (min(low, mandate.start), max(high, last))
    for leg, span in spans.items():
        bounds.setdefault(leg, span)
    return {leg: span for leg, span in bounds.items() if span[0] <= span[1]}


_TITLES = (
    ("premier ministre", "Premier ministre"),
    ("premiere ministre", "Premier ministre"),
    ("secretariat d'etat", "secrétaire d'État"),
    ("secretaire d'etat", "secrétaire d'État"),
    ("haut-commissariat", "haut-commissaire"),
    ("ministere", "ministre"),
    ("minstere", "ministre"),
    ("minsitere", "ministre"),
    ("ministre", "ministre"),
)


def _ministry_title(organe: Organe) -> str:
    """How a question names the minister: "ministre de l'intérieur", "secrétaire d'État auprès de …"."""
    label = " ".join((organe.label or organe.short_label or "ministère").replace("’", "'").split())
    folded = _fold(label)
    for prefix, role in _TITLES:
        if folded.startswith(prefix):
            return role + label[len(prefix) :]
    return "ministre chargé de " + label[:1].lower() + label[1:]


def _ministries(registry: Registry, until: date) -> list[_Ministry]:
    """MINISTERE organes with the days they can be asked: open-ended ones are closed by the next government."""
    governments = sorted(
        (o.start, o.uid) for o in registry.organes_of_type("GOUVERNEMENT") if o.start is not None
    )
    starts = [start for start, _ in governments]
    out: list[_Ministry] = []
    for organe in registry.organes_of_type("MINISTERE"):
        start = organe.start or date(2000, 1, 1)
        end = min(organe.end or until, until)
        parent = registry.organe(organe.parent_uid) if organe.parent_uid else None
        anchor = parent.start if parent is not None and parent.start is not None else start
        following = bisect_right(starts, anchor)
        if following < len(starts):
            end = min(end, starts[following] - _DAY)
        if end < start:
            continue
        label = organe.label or ""
        main = label.startswith("Ministère") and "auprès" not in label and "délégué" not in label
        out.append(
            _Ministry(
                organe,
                start,
                end,
                _fold(organe.short_label or ""),
                _fold(label),
                main,
                _ministry_title(organe),
            )
        )
    return out


def _person_weights(registry: Registry, seed: int) -> dict[str, float]:
    rng = random.Random(f"{seed}:activity")
    return {uid: rng.lognormvariate(0.0, 1.0) for uid in sorted(registry.persons)}


def _segments(
    registry: Registry, legislatures: dict[int, tuple[date, date]], seed: int, until: date
) -> dict[int, list[_Segment]]:
    """For each legislature, the stretches where a deputy has a mandate and a known, valid group."""
    weights = _person_weights(registry, seed)
    out: dict[int, list[_Segment]] = {leg: [] for leg in legislatures}
    for person_uid in sorted(registry.persons):
        person = registry.persons[person_uid]
        groups = [m for m in person.mandates if m.organe_type == "GP"]
        author = " ".join(p for p in (person.civility, person.given_name, person.family_name) if p)
        for mandate in person.mandates:
            leg = mandate.legislature
            if mandate.organe_type != "ASSEMBLEE" or leg not in legislatures or mandate.start is None:
                continue
            leg_start, leg_end = legislatures[leg]
            start = max(mandate.start, leg_start)
            if mandate.term is not None and mandate.term.taking_office is not None:
                start = max(start, mandate.term.taking_office)
            mandate_end = mandate.end if mandate.end is not None else (leg_end if leg_end < until else None)
            end = min(mandate.end or leg_end, leg_end)
            if end < start:
                continue
            cuts = {start, end + _DAY}
            for group in groups:
                if group.start is not None and start < group.start <= end:
                    cuts.add(group.start)
                if group.end is not None and start <= group.end < end:
                    cuts.add(group.end + _DAY)
            election = mandate.election
            if election is not None and election.department and election.constituency_number is not None:
                number = election.constituency_number
                circo = f"{election.department}, {number}{'re' if number == 1 else 'e'} circonscription"
            else:
                circo = "sa circonscription"
            ordered = sorted(cuts)
            for piece_start, next_start in itertools.pairwise(ordered):
                piece_end = next_start - _DAY
                membership = registry.group_membership_on(person_uid, piece_start)
                if membership is None or not membership.organe_uids:
                    continue
                organe = registry.organe(membership.organe_uids[0])
                if organe is None or organe.code_type != "GP" or not organe.valid_on(piece_start):
                    continue
                if organe.end is not None:
                    piece_end = min(piece_end, organe.end)
                if not membership.valid_on(piece_end):
                    continue
                current = registry.assembly_mandate_on(person_uid, piece_start, leg)
                if current is None or current.uid != mandate.uid:
                    continue
                out[leg].append(
                    _Segment(
                        person_uid,
                        mandate,
                        organe,
                        piece_start,
                        piece_end,
                        mandate_end,
                        author,
                        person.civility == "Mme",
                        circo,
                        weights.get(person_uid, 1.0),
                    )
                )
    return out


def _build_world(registry: Registry, seed: int, until: date) -> _World:
    legislatures = _legislature_bounds(registry, until)
    ministries = _ministries(registry, until)
    return _World(
        registry=registry,
        until=until,
        legislatures=legislatures,
        segments=_segments(registry, legislatures, seed, until),
        ministries=ministries,
        by_uid={m.organe.uid: m for m in ministries},
    )


def _ministries_on(world: _World, day: date) -> list[_Ministry]:
    found = world.ministries_on.get(day)
    if found is None:
        found = [] if _in_gap(day) else [m for m in world.ministries if m.start <= day <= m.end]
        world.ministries_on[day] = found
    return found


def _day(world: _World, leg: int, day: date) -> _Day | None:
    key = (leg, day)
    if key in world.days:
        return world.days[key]
    result: _Day | None = None
    ministries = _ministries_on(world, day)
    if ministries:
        segments = [s for s in world.segments[leg] if s.start <= day <= s.end]
        if segments:
            result = _Day(segments, list(itertools.accumulate(s.weight for s in segments)), ministries)
    world.days[key] = result
    return result


def _matching(world: _World, day: date, rubrique: int) -> list[_Ministry]:
    """Ministries valid on ``day`` whose label matches the rubrique (else the full ministries, else all)."""
    key = (day, RUBRIQUES[rubrique][0])
    found = world.matching.get(key)
    if found is None:
        valid = _ministries_on(world, day)
        keywords = RUBRIQUES[rubrique][2].split("|")
        found = [m for m in valid if any(k in m.short for k in keywords)]
        if not found:
            found = [m for m in valid if any(k in m.folded for k in keywords)]
        if not found:
            found = [m for m in valid if m.main] or valid
        world.matching[key] = found
    return found


def _candidate_days(world: _World, leg: int, qtype: str) -> list[tuple[date, float]]:
    """The publication days of a legislature for a type, each with the total activity of its deputies."""
    first, last = world.legislatures[leg]
    out: list[tuple[date, float]] = []
    day = _next_weekday(first, 1)
    while day <= last:
        sittings = [day, day + _DAY] if qtype == "QG" else [day]
        for sitting in sittings:
            if sitting > last:
                continue
            if qtype == "QG" and sitting.month == 8:
                continue
            if qtype == "QOSD" and ((sitting + _WEEK).month == 8 or sitting + _WEEK > last):
                continue
            found = _day(world, leg, sitting)
            if found is not None:
                out.append((sitting, found.cum_weights[-1]))
        day += _WEEK
    return out


# ------------------------------------------------------------------ the plan


def _allocate(count: int, weights: dict[tuple[int, str], float]) -> dict[tuple[int, str], int]:
    """Split ``count`` by weights (largest remainders; ties broken by key), exactly."""
    total = sum(weights.values())
    if total <= 0:
        return dict.fromkeys(weights, 0)
    exact = {key: count * w / total for key, w in weights.items()}
    out = {key: math.floor(v) for key, v in exact.items()}
    rest = count - sum(out.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:rest]:
        out[key] += 1
    return out


def default_registry_paths(repo: Path | None = None) -> list[Path]:
    """``../shared/data/an/{acteurs,organes}`` beside the repository when present, else the bundled sample."""
    root = repo or Path(__file__).resolve().parent.parent
    shared = root.parent / "shared" / "data" / "an"
    if (shared / "acteurs").is_dir() and (shared / "organes").is_dir():
        return [shared / "acteurs", shared / "organes"]
    return [root / "kg" / "data" / "sample" / "registry"]


def generate(
    count: int,
    seed: int = 42,
    registry: Registry | Sequence[Path] | None = None,
    *,
    until: date = CORPUS_END,
) -> Iterator[Record]:
    """Yield ``count`` question records (the content of ``{"question": …}``), deterministic for a seed.

    ``registry`` is a loaded :class:`Registry`, or paths to load, or ``None`` for
    :func:`default_registry_paths`. Records come by legislature, then type (QE, QOSD, QG), then number
    (= date order). Raises ``ValueError`` when the registry has no deputy with a group on a day with
    ministries (nothing can be generated).
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if registry is None:
        registry = load_registry(default_registry_paths())
    elif not isinstance(registry, Registry):
        registry = load_registry([Path(p) for p in registry])
    world = _build_world(registry, seed, until)
    plan: dict[tuple[int, str], list[tuple[date, float]]] = {}
    weights: dict[tuple[int, str], float] = {}
    for leg in sorted(world.legislatures):
        for qtype, type_weight in TYPE_WEIGHTS.items():
            days = _candidate_days(world, leg, qtype)
            if days:
                plan[(leg, qtype)] = days
                weights[(leg, qtype)] = LEGISLATURE_WEIGHTS[leg] * type_weight
    if count and not plan:
        raise ValueError(
            "the registry has no deputy with a group on a day with ministries: nothing to generate"
        )
    counts = _allocate(count, weights)
    for key in sorted(plan, key=lambda k: (k[0], list(TYPE_WEIGHTS).index(k[1]))):
        n = counts[key]
        if n == 0:
            continue
        leg, qtype = key
        rng = random.Random(f"{seed}:{leg}:{qtype}")
        days = plan[key]
        per_day = Counter(
            rng.choices(range(len(days)), cum_weights=list(itertools.accumulate(w for _, w in days)), k=n)
        )
        number = 0
        for index in sorted(per_day):
            day = days[index][0]
            for _ in range(per_day[index]):
                number += 1
                yield _Question(world, rng, leg, qtype, number, day).build()


# ------------------------------------------------------------------ one question


class _Question:
    """Draws one question: author, ministries, life cycle, texts; then builds the record."""

    def __init__(
        self, world: _World, rng: random.Random, leg: int, qtype: str, number: int, day: date
    ) -> None:
        self.world = world
        self.rng = rng
        self.leg = leg
        self.qtype = qtype
        self.number = number
        self.day = day
        found = world.days[(leg, day)]
        assert found is not None
        self.today = found
        self.fr_dates = leg == 15 and rng.random() < P_FR_DATES_L15
        self.fr_forced = self.fr_dates
        self.curly = leg >= 16 and rng.random() < P_CURLY_APOSTROPHE
        self.question_parts: list[str] = []

    # -- formatting

    def fmt(self, day: date | None) -> str | None:
        if day is None:
            return None
        if self.fr_dates and (self.fr_forced or self.rng.random() < 0.5):
            self.fr_forced = False
            return _french(day)
        return _iso(day)

    def page(self, day: date, debate: bool) -> str:
        yday = day.timetuple().tm_yday
        return str(yday * (11 if debate else 31) + self.rng.randint(1, 250))

    def info(
        self, kind: str, day: date | None, *, page: bool = True, details: Organe | None = None
    ) -> Record:
        jo: Record = {
            "typeJO": kind,
            "dateJO": self.fmt(day),
            "pageJO": self.page(day, kind == "JO_DEBAT") if day is not None and page else None,
            "numJO": None,
            "urlLegifrance": None,
            "referenceNOR": None,
        }
        if details is not None and day is not None:
            yday = day.timetuple().tm_yday
            jo["numJO"] = str((yday - 1) // 7 + 1)
            jo["urlLegifrance"] = (
                f"https://www.legifrance.gouv.fr/jorf/jo/{day.year}/{day.month:02d}/{day.day:02d}/"
                f"{max(1, int(yday * 0.83)):04d}"
            )
            code = "".join(ch for ch in (details.abbreviation or "") if ch.isalpha()).upper()[:3] or "PRM"
            letter = self.rng.choice("ABCDEJMPRSTVX")
            jo["referenceNOR"] = f"{code:X<3}{letter}{day.year % 100:02d}{self.rng.randint(0, 99999):05d}Q"
        return jo

    def text(self, text: str) -> str:
        return text.replace("'", "’") if self.curly else text

    # -- drawing

    def pick_ministry(self, day: date, rubrique: int, exclude: str | None = None) -> _Ministry | None:
        choices = [m for m in _matching(self.world, day, rubrique) if m.organe.uid != exclude]
        if not choices:
            choices = [m for m in _ministries_on(self.world, day) if m.organe.uid != exclude]
        if not choices:
            return None
        return self.rng.choice(choices)

    def tuesday_between(self, low: date, high: date) -> date | None:
        first = _next_weekday(low, 1)
        if first > high:
            return None
        weeks = (high - first).days // 7
        return first + _WEEK * self.rng.randint(0, weeks)

    def build(self) -> Record:
        rng = self.rng
        world = self.world
        day = self.day
        qtype = self.qtype
        segment = rng.choices(self.today.segments, cum_weights=self.today.cum_weights)[0]
        rubrique = rng.choices(range(len(RUBRIQUES)), cum_weights=_RUBRIQUE_CUM)[0]
        rubrique_name, _, _, subjects, tetes = RUBRIQUES[rubrique]
        np = rng.choice(subjects)
        attributed = self.pick_ministry(day, rubrique)
        assert attributed is not None  # the day has ministries
        asked = attributed
        if rng.random() < P_OTHER_MIN_INT:
            asked = self.pick_ministry(day, rubrique, exclude=attributed.organe.uid) or attributed

        # the last day something can happen: the mandate's end (then 'Fin de mandat'), else the corpus end
        limit = min(segment.mandate_end or world.until, world.until)
        closure: Record | None = None
        answer: date | None = None
        withdrawn: date | None = None
        signal: date | None = None
        renewals: list[date] = []
        if qtype == "QG":
            answer = day
        elif qtype == "QOSD":
            if day + _WEEK <= limit and rng.random() < P_ANSWER_QOSD:
                answer = day + _WEEK
        else:
            roll = rng.random()
            if roll < P_WITHDRAWN_BY_AUTHOR:
                withdrawn = self.tuesday_between(
                    day + timedelta(days=14), min(limit, day + timedelta(days=180))
                )
                if withdrawn is not None:
                    closure = {
                        "codeCloture": "RET_AUT",
                        "libelleCloture": "Retirée par l'auteur",
                        "dateCloture": self.fmt(withdrawn),
                        "infoJO": self.info("JO_QUESTION", withdrawn),
                    }
            elif roll < (P_ANSWER_QE if segment.mandate_end is not None else P_ANSWER_QE_CURRENT):
                delay = min(358, max(30, int(rng.lognormvariate(math.log(110), 0.55))))  # Tuesday: <= 1 year
                answer = _next_weekday(day + timedelta(days=delay), 1)
                if answer > limit:
                    answer = self.tuesday_between(
                        day + timedelta(days=30), min(limit, day + timedelta(days=365))
                    )
                    if answer is not None and rng.random() < 0.6:
                        answer = None  # most late answers simply never come
            end_of_life = answer or withdrawn or limit
            if withdrawn is None and rng.random() < P_SIGNALEMENT:
                # signalled two months or more after publication, answered about a week after the JO
                if answer is not None and answer - day >= timedelta(days=75):
                    signal = answer - _WEEK
                elif answer is None and limit - day >= timedelta(days=80):
                    signal = self.tuesday_between(day + timedelta(days=63), limit - _WEEK)
            if withdrawn is None and rng.random() < P_RENEWAL and end_of_life - day >= timedelta(days=130):
                last = (signal or end_of_life) - _WEEK
                first = self.tuesday_between(day + timedelta(days=112), last)
                if first is not None:
                    renewals.append(first)
                    second = (
                        self.tuesday_between(first + timedelta(days=84), last) if rng.random() < 0.3 else None
                    )
                    if second is not None:
                        renewals.append(second)

        attributions: list[tuple[_Ministry, date | None, bool]] = [
            (attributed, day if qtype != "QG" else None, qtype != "QG")
        ]
        if qtype == "QE" and rng.random() < P_REATTRIBUTED:
            horizon = (answer or withdrawn or limit) - _WEEK
            extra = 2 if rng.random() < P_THIRD_ATTRIBUTION else 1
            cursor = day
            current = attributed
            for _ in range(extra):
                moved = self.reattribute(current, cursor, horizon, rubrique)
                if moved is None:
                    break
                current, cursor, dated_issue = moved
                attributions.append((current, cursor, dated_issue))

        if answer is not None:
            debate = qtype != "QE"
            jo = self.info(
                "JO_DEBAT" if debate else "JO_QUESTION", answer, details=self.details(attributions[-1][0])
            )
            closure = {
                "codeCloture": "REP_PUB",
                "libelleCloture": "Réponse publiée",
                "dateCloture": self.fmt(answer),
                "infoJO": jo,
            }
        elif closure is None and segment.mandate_end is not None and segment.mandate_end <= world.until:
            closure = {
                "codeCloture": None,
                "libelleCloture": "Fin de mandat",
                "dateCloture": self.fmt(segment.mandate_end),
                "infoJO": None,
            }

        # -- texts and indexation
        feminine_minister = rng.random() < 0.45
        minister = self.minister_phrase(asked, feminine_minister)
        slots = self.slots(segment, np)
        question_html = self.question_text(segment, minister, np, slots) if qtype != "QG" else ""
        tete: str | None = None
        if tetes and rng.random() < (P_TETE_QG if qtype == "QG" else P_TETE_QE):
            tete = rng.choice(tetes)
        title = self.title(np)
        analyse: str | list[str] = title
        if rng.random() < P_TWO_ANALYSES:
            other = self.title(rng.choice(subjects))
            analyse = [title, other] if other != title else title
        if rng.random() < P_EMPTY_RUBRIQUE:
            rubrique_name = ""

        details = self.details(attributed) if qtype != "QG" else None
        question_jo = self.info("JO_QUESTION", day, details=details) if qtype != "QG" else None
        min_attribs: list[Record] = []
        for position, (ministry, when, with_page) in enumerate(attributions):
            if position == 0 and question_jo is not None:
                jo = dict(question_jo)
            elif qtype == "QG":
                jo = self.info("JO_DEBAT", None)
            else:
                jo = self.info("JO_QUESTION", when, page=with_page)
            min_attribs.append({"infoJO": jo, "denomination": _mention(ministry.organe)})

        textes_question: Record | None = None
        if qtype != "QG":
            assert question_jo is not None
            first_text: Record = {"infoJO": question_jo, "texte": self.text(question_html)}
            if rng.random() < P_ERRATUM and (answer or limit) - day > timedelta(days=21):
                again = day + timedelta(days=14)
                word = np.split()[-1]
                fixed = question_html.replace(word, word + " concernés", 1)
                erratum = (
                    f"Dans le texte de la question n° {self.number} publiée au Journal officiel du "
                    f"{_long_date(day)}, au lieu de : « {word} », lire : « {word} concernés »."
                )
                textes_question = {
                    "texteQuestion": [
                        {**first_text, "erratum": None},
                        {
                            "infoJO": self.info("JO_QUESTION", again),
                            "texte": self.text(fixed),
                            "erratum": erratum,
                        },
                    ]
                }
            else:
                textes_question = {"texteQuestion": first_text}

        textes_reponse: Record | None = None
        if answer is not None:
            assert closure is not None
            if qtype == "QE":
                answer_html = self.answer_text(np, self.slots(segment, np))
            else:
                answer_html = self.debate_text(
                    segment, minister, feminine_minister, np, self.slots(segment, np)
                )
            textes_reponse = {
                "texteReponse": {
                    "infoJO": dict(closure["infoJO"]),
                    "texte": self.text(answer_html),
                    "erratum": None,
                }
            }

        signalement: Record | None = None
        if signal is not None:
            signalement = {
                "dateDepotSignal": self.fmt(signal - timedelta(days=8)),
                "infoJO": self.info("JO_QUESTION", signal),
            }
        renouvellements: Record | None = None
        if renewals:
            items = [
                {"dateRenouvellement": self.fmt(r), "infoJO": self.info("JO_QUESTION", r)} for r in renewals
            ]
            renouvellements = {"renouvellement": items[0] if len(items) == 1 else items}

        group = segment.group
        uid = f"QANR5L{self.leg}{qtype}{self.number}"
        return {
            "@xmlns": NS,
            "@xmlns:xsi": XSI,
            "@xsi:type": XSI_TYPES[qtype],
            "uid": uid,
            "identifiant": {
                "numero": str(self.number),
                "regime": "5eme Republique",
                "legislature": str(self.leg),
            },
            "type": qtype,
            "indexationAN": {
                "rubrique": rubrique_name,
                "teteAnalyse": tete,
                "analyses": {"analyse": analyse},
            },
            "auteur": {
                "identite": {"acteurRef": segment.person_uid, "mandatRef": segment.mandate.uid},
                "groupe": {
                    "organeRef": group.uid,
                    "abrege": group.abbreviation or group.short_label,
                    "developpe": group.label,
                },
            },
            "minInt": _mention(asked.organe),
            "minAttribs": {"minAttrib": min_attribs[0] if len(min_attribs) == 1 else min_attribs},
            "textesQuestion": textes_question,
            "textesReponse": textes_reponse,
            "signalement": signalement,
            "renouvellements": renouvellements,
            "cloture": closure,
            "erratumsQuestion": None,
            "erratumsReponse": None,
        }

    def details(self, ministry: _Ministry) -> Organe | None:
        return ministry.organe if self.rng.random() < P_JO_DETAILS else None

    def reattribute(
        self, current: _Ministry, after: date, horizon: date, rubrique: int
    ) -> tuple[_Ministry, date, bool] | None:
        """The next attribution: on the successor's first day when ``current`` ends first (a reshuffle; no
        JO page), else on a Tuesday to another ministry valid then."""
        world = self.world
        if current.end < horizon and current.end >= after:
            change = current.end + _DAY
            if not _in_gap(change) and _ministries_on(world, change):
                successors = [
                    m for m in _ministries_on(world, change) if m.organe.previous_uid == current.organe.uid
                ]
                chosen = self.rng.choice(successors) if successors else self.pick_ministry(change, rubrique)
                if chosen is not None and chosen.organe.uid != current.organe.uid:
                    return chosen, change, False
        when = self.tuesday_between(after + timedelta(days=14), horizon)
        if when is None or not _ministries_on(world, when):
            return None
        chosen = self.pick_ministry(when, rubrique, exclude=current.organe.uid)
        if chosen is None:
            return None
        return chosen, when, True

    # -- texts

    def minister_phrase(self, ministry: _Ministry, feminine: bool) -> str:
        title = ministry.title
        if title.startswith("Premier ministre"):
            return "Mme la Première ministre" if feminine else "M. le Premier ministre"
        if feminine:
            title = title.replace("ministre délégué ", "ministre déléguée ").replace(
                ", chargé ", ", chargée "
            )
            return "Mme la " + title
        return "M. le " + title

    def slots(self, segment: _Segment, np: str) -> dict[str, str]:
        rng = self.rng
        return {
            "np": np,
            "np_bare": np,
            "de_np": _de(np),
            "a_np": _a(np),
            "circo": segment.circo,
            "pct": str(rng.randint(8, 45)),
            "n": str(rng.randint(3, 60)),
            "year": str(self.day.year - rng.randint(1, 6)),
        }

    def compose(
        self, opening: str, pool: Sequence[str], closing: str, slots: dict[str, str], low: int, high: int
    ) -> list[str]:
        """The opening, context sentences until a length drawn in [low, high], the closing (never past high)."""
        rng = self.rng
        target = rng.randint(low, high - 150)
        parts = [opening]
        size = len(opening) + len(closing) + 1
        for template in rng.sample(pool, len(pool)):
            if size >= target:
                break
            sentence = template.format(**slots)
            if size + len(sentence) + 1 > high - 10:  # room for <p> markup
                continue
            parts.append(sentence)
            size += len(sentence) + 1
        if closing:
            parts.append(closing)
        return parts

    def question_text(self, segment: _Segment, minister: str, np: str, slots: dict[str, str]) -> str:
        rng = self.rng
        opening = rng.choice(_Q_OPENINGS).format(auteur=segment.author, ministre=minister, np=np)
        closing = rng.choice(_Q_CLOSINGS).format(il="Elle" if segment.feminine else "Il", np=np)
        parts = self.compose(opening, _Q_CONTEXT, closing, slots, 600, 2000)
        self.question_parts = parts
        if rng.random() < P_HTML_QUESTION:
            return "<p>" + " ".join(parts) + "</p>"
        return " ".join(parts)

    def answer_text(self, np: str, slots: dict[str, str]) -> str:
        rng = self.rng
        opening = rng.choice(_A_OPENINGS).format(**slots)
        closing = rng.choice(_A_CLOSINGS)
        parts = self.compose(opening, _A_CONTEXT, closing, slots, 600, 2000)
        if rng.random() < P_HTML_ANSWER:
            cut = max(2, len(parts) // 2)
            return "<p>" + " ".join(parts[:cut]) + "</p><p>" + " ".join(parts[cut:]) + "</p>"
        return " ".join(parts)

    def debate_text(
        self,
        segment: _Segment,
        minister: str,
        feminine_minister: bool,
        np: str,
        slots: dict[str, str],
    ) -> str:
        """The transcript of a QG or QOSD exchange in the sitting."""
        rng = self.rng
        chair = rng.choice(_DEBATE_CHAIR)
        speaker = minister.split(",")[0]
        address = "Madame la ministre" if feminine_minister else "Monsieur le ministre"
        if self.qtype == "QOSD":
            asking = (
                f"<p><strong>{chair}.</strong> La parole est à {segment.author}, pour exposer sa question, "
                f"n<sup>o</sup>&nbsp;{self.number}, relative {_a(np)}.</p>"
            )
            context = " ".join(self.question_parts[1:-1])
            question = (
                f"{address}, je souhaite appeler votre attention sur {np}. {context} "
                "Quelles mesures comptez-vous prendre&nbsp;?"
            )
        else:
            asking = f"<p><strong>{chair}.</strong> La parole est à {segment.author}.</p>"
            opening = f"{address}, je souhaite vous interroger sur {np}."
            question = " ".join(
                self.compose(
                    opening, _Q_CONTEXT, "Quelles mesures comptez-vous prendre&nbsp;?", slots, 400, 1000
                )
            )
        answer = " ".join(
            self.compose(rng.choice(_A_OPENINGS).format(**slots), _A_CONTEXT, "", slots, 500, 1400)
        )
        return (
            f"{asking}<p><strong>{segment.author}.</strong> {question}</p>"
            f"<p><strong>{chair}.</strong> La parole est à {speaker}.</p>"
            f"<p><strong>{_cap(speaker)}.</strong> {answer}</p>"
        )

    def title(self, np: str) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            return _cap(_bare(np))
        head = rng.choice(_TITLE_HEADS)
        return f"{head} {_de(np)}"


_RUBRIQUE_CUM = list(itertools.accumulate(r[1] for r in RUBRIQUES))

_MONTHS = MONTHS  # the page reader's own list: the card and the pages speak the same French


def _long_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"


def _mention(organe: Organe) -> Record:
    return {"organeRef": organe.uid, "abrege": organe.short_label, "developpe": organe.label}


# ------------------------------------------------------------------ what a record is (for the mix)


def _dates(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("date") and isinstance(item, str):
                yield item
            else:
                yield from _dates(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dates(item)


def _many(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def variants(record: Record) -> frozenset[str]:
    """The variants a record shows, by name: ``QE``/``QOSD``/``QG``, ``answered``, ``reattributed``,
    ``signalement``, ``renewal``, ``end-of-mandate``, ``withdrawn-by-author``, ``open``, ``fr-dates``,
    ``tete-analyse``, ``two-analyses``, ``erratum``, ``empty-rubrique``, ``html-question``, ``html-answer``,
    ``jo-details``. Works on the generated dicts (the JSON shape)."""
    tags = {record["type"]}
    closure = record.get("cloture")
    if record.get("textesReponse") is not None:
        tags.add("answered")
    if closure is None:
        tags.add("open")
    elif closure.get("libelleCloture") == "Fin de mandat":
        tags.add("end-of-mandate")
    elif closure.get("codeCloture") == "RET_AUT":
        tags.add("withdrawn-by-author")
    if len(_many(record["minAttribs"]["minAttrib"])) > 1:
        tags.add("reattributed")
    if record.get("signalement") is not None:
        tags.add("signalement")
    if record.get("renouvellements") is not None:
        tags.add("renewal")
    if any("/" in d for d in _dates(record)):
        tags.add("fr-dates")
    indexation = record["indexationAN"]
    if indexation.get("teteAnalyse"):
        tags.add("tete-analyse")
    if isinstance(indexation["analyses"]["analyse"], list):
        tags.add("two-analyses")
    if indexation.get("rubrique") == "":
        tags.add("empty-rubrique")
    texts = _many((record.get("textesQuestion") or {}).get("texteQuestion"))
    if len(texts) > 1:
        tags.add("erratum")
    if any(t["texte"].startswith("<p>") for t in texts):
        tags.add("html-question")
    answers = _many((record.get("textesReponse") or {}).get("texteReponse"))
    if any(t["texte"].startswith("<p>") for t in answers):
        tags.add("html-answer")
    if texts and texts[0]["infoJO"]["numJO"] is not None:
        tags.add("jo-details")
    return frozenset(tags)


# ------------------------------------------------------------------ XML


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _xml_element(out: list[str], tag: str, value: Any, indent: str) -> None:
    if value is None:
        out.append(f'{indent}<{tag} xsi:nil="true"/>\n')
    elif isinstance(value, str):
        out.append(f"{indent}<{tag}>{_escape(value)}</{tag}>\n")
    elif isinstance(value, list):
        for item in value:
            _xml_element(out, tag, item, indent)
    elif isinstance(value, dict):
        attributes = "".join(
            f' {key[1:]}="{_escape_attribute(item)}"' for key, item in value.items() if key.startswith("@")
        )
        children = [(key, item) for key, item in value.items() if not key.startswith("@")]
        if not children:
            out.append(f"{indent}<{tag}{attributes}/>\n")
            return
        out.append(f"{indent}<{tag}{attributes}>\n")
        inner = indent + "  "
        for key, item in children:
            _xml_element(out, key, item, inner)
        out.append(f"{indent}</{tag}>\n")
    else:
        raise TypeError(f"{tag}: cannot write a {type(value).__name__} as XML")


def record_to_xml(record: Record, *, indent: str = "", declaration: bool = True) -> str:
    """One record as the official XML ``<question>`` element: ``@`` keys become attributes (``@xmlns`` the
    namespace), ``None`` an ``xsi:nil="true"`` element, lists repeated elements, HTML escaped as text."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if declaration else []
    _xml_element(out, "question", record, indent)
    return "".join(out)


# ------------------------------------------------------------------ writers


@dataclass(slots=True)
class WriteStats:
    """What :func:`write_corpus` wrote."""

    records: int = 0
    files: int = 0  # files on disk (a zip counts once)
    bytes: int = 0  # on disk
    mix: Counter[str] = field(default_factory=Counter)  # variants() of every record


def _single_name(record: Record, suffix: str) -> tuple[tuple[int, str], str]:
    leg = int(record["identifiant"]["legislature"])
    qtype = record["type"]
    return (leg, qtype), f"{COLLECTIONS[qtype][0]}_{_roman(leg)}{suffix}"


def _strip_namespace(record: Record) -> Record:
    """The single-file layout (14th legislature) carries no ``@xmlns`` on its records."""
    return {key: value for key, value in record.items() if key != "@xmlns"}


def write_corpus(records: Iterable[Record], layout: str, out_dir: Path) -> WriteStats:
    """Write records in one of :data:`LAYOUTS` under ``out_dir`` (created), streaming:

    * ``json-files``: ``json/{uid}.json``, ``{"question": {…}}`` (compact UTF-8 JSON);
    * ``xml-files``: ``xml/{uid}.xml``, namespaced XML;
    * ``zip``: one archive per legislature and type, ``Questions_ecrites_XV.json.zip`` holding ``json/{uid}.json``;
    * ``single-json``: ``Questions_ecrites_XV.json`` = ``{"questionsEcrites": {"question": [ … ]}}`` (per
      legislature and type; ``questionsOralesSansDebat``, ``questionsGouvernement`` for the others);
    * ``single-xml``: ``Questions_ecrites_XV.xml`` = ``<questionsEcrites><question>…`` without namespace.

    Files of the layout already there are overwritten; nothing else is removed.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (expected one of {', '.join(LAYOUTS)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = WriteStats()
    writer: Callable[[Iterable[Record], Path, WriteStats], None] = _WRITERS[layout]
    writer(_counted(records, stats), out_dir, stats)
    return stats


def _counted(records: Iterable[Record], stats: WriteStats) -> Iterator[Record]:
    for record in records:
        stats.records += 1
        stats.mix.update(variants(record))
        yield record


def _json_bytes(record: Record) -> bytes:
    return orjson.dumps({"question": record})


def _write_json_files(records: Iterable[Record], out_dir: Path, stats: WriteStats) -> None:
    folder = out_dir / "json"
    folder.mkdir(exist_ok=True)
    for record in records:
        data = _json_bytes(record)
        (folder / f"{record['uid']}.json").write_bytes(data)
        stats.files += 1
        stats.bytes += len(data)


def _write_xml_files(records: Iterable[Record], out_dir: Path, stats: WriteStats) -> None:
    folder = out_dir / "xml"
    folder.mkdir(exist_ok=True)
    for record in records:
        data = record_to_xml(record).encode()
        (folder / f"{record['uid']}.xml").write_bytes(data)
        stats.files += 1
        stats.bytes += len(data)


_ZIP_TIME = (2026, 1, 27, 0, 0, 0)


def _write_zips(records: Iterable[Record], out_dir: Path, stats: WriteStats) -> None:
    archives: dict[tuple[int, str], zipfile.ZipFile] = {}
    paths: list[Path] = []
    try:
        for record in records:
            key, name = _single_name(record, ".json.zip")
            archive = archives.get(key)
            if archive is None:
                path = out_dir / name
                paths.append(path)
                archive = archives[key] = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
            info = zipfile.ZipInfo(f"json/{record['uid']}.json", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _json_bytes(record), compresslevel=6)
    finally:
        for archive in archives.values():
            archive.close()
    stats.files += len(paths)
    stats.bytes += sum(path.stat().st_size for path in paths)


class _SingleFiles:
    """Open single-layout files by (legislature, type), each written as a stream."""

    def __init__(
        self, out_dir: Path, suffix: str, head: Callable[[str], bytes], tail: Callable[[str], bytes]
    ) -> None:
        self.out_dir = out_dir
        self.suffix = suffix
        self.head = head
        self.tail = tail
        self.files: dict[tuple[int, str], tuple[IO[bytes], str, list[int]]] = {}
        self.paths: list[Path] = []

    def get(self, record: Record) -> tuple[IO[bytes], list[int]]:
        key, name = _single_name(record, self.suffix)
        found = self.files.get(key)
        if found is None:
            path = self.out_dir / name
            self.paths.append(path)
            handle = path.open("wb", buffering=1 << 20)
            handle.write(self.head(COLLECTIONS[key[1]][1]))
            found = self.files[key] = (handle, COLLECTIONS[key[1]][1], [0])
        return found[0], found[2]

    def close(self, stats: WriteStats) -> None:
        for handle, collection, _ in self.files.values():
            handle.write(self.tail(collection))
            handle.close()
        stats.files += len(self.paths)
        stats.bytes += sum(path.stat().st_size for path in self.paths)


def _write_single_json(records: Iterable[Record], out_dir: Path, stats: WriteStats) -> None:
    files = _SingleFiles(
        out_dir,
        ".json",
        lambda collection: b'{"' + collection.encode() + b'":{"question":[\n',
        lambda _: b"\n]}}\n",
    )
    try:
        for record in records:
            handle, written = files.get(record)
            if written[0]:
                handle.write(b",\n")
            handle.write(orjson.dumps(_strip_namespace(record)))
            written[0] += 1
    finally:
        files.close(stats)


def _write_single_xml(records: Iterable[Record], out_dir: Path, stats: WriteStats) -> None:
    files = _SingleFiles(
        out_dir,
        ".xml",
        lambda collection: (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<{collection} xmlns:xsi="{XSI}">\n'.encode()
        ),
        lambda collection: f"</{collection}>\n".encode(),
    )
    try:
        for record in records:
            handle, written = files.get(record)
            body = {key: value for key, value in record.items() if not key.startswith("@xmlns")}
            handle.write(record_to_xml(body, indent="  ", declaration=False).encode())
            written[0] += 1
    finally:
        files.close(stats)


_WRITERS: dict[str, Callable[[Iterable[Record], Path, WriteStats], None]] = {
    "json-files": _write_json_files,
    "xml-files": _write_xml_files,
    "zip": _write_zips,
    "single-json": _write_single_json,
    "single-xml": _write_single_xml,
}
