"""The printable sheet of a diagnosis: one page per person, for her and her adviser.

Each page is one self-contained HTML file (inline style, the map as an inline PNG, no script,
font or link to fetch), in English or French, that prints on A4. It says in plain words how
the person gets around now, which offers she reaches and when to leave home, why the others
are out of reach, what each aid of the catalogue would change, and shows it all on a map.

>>> d = rc.diagnose(net, people, offers)                 # doctest: +SKIP
>>> d.to_html("sheets", lang="fr")                        # doctest: +SKIP
>>> d.to_html("amina.html", person="amina")               # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .aids import COVERED_BY, Aid, holds, usable
from .diagnosis import REASONS, Diagnosis
from .errors import InvalidParameterError
from .itinerary import itinerary, street_route
from .modes import is_transit, split_mode
from .plot._base import _bare, _draw_streets, _scale_bar

__all__ = ["LANGUAGES", "write_sheets"]

LANGUAGES: tuple[str, ...] = ("en", "fr")
"""The languages of the sheet."""

_NBSP, _NNBSP, _APOSTROPHE = "\u00a0", "\u202f", "\u2019"

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Mobility sheet",
        "intro": "The offers you can reach now, when to leave home, and what an aid would change.",
        "situation": "Your situation",
        "modes_now": "You get around",
        "licences": "Driving licence",
        "no_licence": "none",
        "max_trip": "Longest trip you accept",
        "each_way": "{minutes} each way",
        "max_walk": "Longest walk to a stop",
        "reachable_now": "Offers you can reach now",
        "k_of_n": "{k} of {n}",
        "best_aid": "Most helpful aid",
        "best_aid_value": "{aid}: {effect}",
        "opens_n": "opens {n} offer",
        "opens_n_plural": "opens {n} offers",
        "saves": "saves {minutes} a day",
        "no_aid": "none of the aids changes anything for these offers",
        "offers": "The offers",
        "col_offer": "Offer",
        "col_when": "Days and hours",
        "col_now": "Now?",
        "col_how": "How, or why not",
        "yes": "Yes",
        "no": "No",
        "how": "{mode}, {minutes} of travel a day",
        "lines": "line {names}",
        "lines_plural": "lines {names}",
        "then": " then ",
        "leave_home": "Leave home at {leave}, {there} at {arrive}.",
        "go_home": "{leave_from} at {leave}, home at {home}.",
        "not_on": "Not {days}: {reason}.",
        "opened_by": "Possible with: {aids}.",
        "more_one": "{aids} (and 1 other aid)",
        "more_many": "{aids} (and {n} other aids)",
        "or": " or ",
        "and": " and ",
        "from_home": "{km} from home",
        "hours_assumed": "hours not given",
        "next_day": "next day",
        "every_day": "every day",
        "aids": "What an aid would change",
        "col_aid": "Aid",
        "col_opens": "Offers it opens (their numbers)",
        "col_saves": "Time saved a day on the offers you already reach",
        "most_helpful": "most helpful",
        "opens_group": "{numbers}: {mode}, {minutes} a day",
        "needs_licence": "Need a licence you do not have",
        "requires": "{aid} ({licence})",
        "licence": "licence {names}",
        "no_change": "Would change nothing for these offers",
        "none_helps": "No aid of the catalogue opens an offer or saves time.",
        "map": "Map",
        "map_alt": "Map of your home, the offers and the routes to those you can reach now",
        "map_caption": "The numbers are those of the offers. Each route is the trip there "
        "for the offers you can reach now, leaving at the time given.",
        "home": "Home",
        "legend_now": "Reachable now",
        "legend_aid": "Reachable with an aid",
        "legend_out": "Out of reach",
        "legend_walk": "On foot",
        "legend_ride": "Bus or train",
        "footer": "Times allow {early} between arriving and the start, and {after} between the end "
        "and leaving.",
        "timetable": " Bus and train times are those of {date}.",
        "index_title": "Mobility sheets",
        "index_intro": "One sheet per person: the offers she can reach now and the aid that helps most.",
        "col_person": "Person",
        "col_reach": "Offers reachable now",
        "col_best": "Most helpful aid",
        "col_sheet": "Sheet",
        "nothing": "none",
    },
    "fr": {
        "title": "Fiche mobilité",
        "intro": "Les offres que vous pouvez rejoindre aujourd'hui, l'heure à laquelle partir de chez vous, "
        "et ce qu'une aide changerait.",
        "situation": "Votre situation",
        "modes_now": "Vous vous déplacez",
        "licences": "Permis de conduire",
        "no_licence": "aucun",
        "max_trip": "Trajet maximum accepté",
        "each_way": "{minutes} à l'aller comme au retour",
        "max_walk": "Marche maximale jusqu'à un arrêt",
        "reachable_now": "Offres accessibles aujourd'hui",
        "k_of_n": "{k} sur {n}",
        "best_aid": "Aide la plus utile",
        "best_aid_value": "{aid} : {effect}",
        "opens_n": "ouvre {n} offre",
        "opens_n_plural": "ouvre {n} offres",
        "saves": "fait gagner {minutes} par jour",
        "no_aid": "aucune aide ne change rien pour ces offres",
        "offers": "Les offres",
        "col_offer": "Offre",
        "col_when": "Jours et horaires",
        "col_now": "Aujourd'hui ?",
        "col_how": "Comment, ou pourquoi pas",
        "yes": "Oui",
        "no": "Non",
        "how": "{mode}, {minutes} de trajet par jour",
        "lines": "ligne {names}",
        "lines_plural": "lignes {names}",
        "then": " puis ",
        "leave_home": "Partir de chez vous à {leave}, {there} à {arrive}.",
        "go_home": "{leave_from} à {leave}, chez vous à {home}.",
        "not_on": "Pas {days} : {reason}.",
        "opened_by": "Possible avec : {aids}.",
        "more_one": "{aids} (et 1 autre aide)",
        "more_many": "{aids} (et {n} autres aides)",
        "or": " ou ",
        "and": " et ",
        "from_home": "à {km} de chez vous",
        "hours_assumed": "horaires non précisés",
        "next_day": "le lendemain",
        "every_day": "tous les jours",
        "aids": "Ce qu'une aide changerait",
        "col_aid": "Aide",
        "col_opens": "Offres qu'elle ouvre (leur numéro)",
        "col_saves": "Temps gagné par jour sur les offres déjà accessibles",
        "most_helpful": "la plus utile",
        "opens_group": "{numbers} : {mode}, {minutes} par jour",
        "needs_licence": "Il faut un permis que vous n'avez pas",
        "requires": "{aid} ({licence})",
        "licence": "permis {names}",
        "no_change": "Ne changeraient rien pour ces offres",
        "none_helps": "Aucune aide du catalogue n'ouvre d'offre ni ne fait gagner de temps.",
        "map": "Carte",
        "map_alt": "Carte de votre domicile, des offres et des trajets vers celles accessibles aujourd'hui",
        "map_caption": "Les numéros sont ceux des offres. Chaque tracé est le trajet aller vers une offre "
        "accessible aujourd'hui, en partant à l'heure indiquée.",
        "home": "Domicile",
        "legend_now": "Accessible aujourd'hui",
        "legend_aid": "Accessible avec une aide",
        "legend_out": "Hors de portée",
        "legend_walk": "À pied",
        "legend_ride": "Bus ou train",
        "footer": "Les horaires laissent {early} entre l'arrivée et le début, et {after} entre la fin "
        "et le départ.",
        "timetable": " Les horaires des bus et des trains sont ceux du {date}.",
        "index_title": "Fiches mobilité",
        "index_intro": "Une fiche par personne : les offres qu'elle peut rejoindre aujourd'hui et l'aide "
        "la plus utile.",
        "col_person": "Personne",
        "col_reach": "Offres accessibles aujourd'hui",
        "col_best": "Aide la plus utile",
        "col_sheet": "Fiche",
        "nothing": "aucune",
    },
}
"""Every sentence of the sheet, per language (French spacing and apostrophes: :func:`_typography`)."""

_MODE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "walk": "on foot", "bike": "by bike", "ebike": "by electric bike", "moped": "by moped",
        "car": "by car", "transit": "by bus or train", "bike+transit": "by bike, then bus or train",
        "ebike+transit": "by electric bike, then bus or train",
        "moped+transit": "by moped, then bus or train", "car+transit": "by car, then bus or train",
    },
    "fr": {
        "walk": "à pied", "bike": "à vélo", "ebike": "à vélo électrique", "moped": "en scooter",
        "car": "en voiture", "transit": "en bus ou en train",
        "bike+transit": "à vélo, puis en bus ou en train",
        "ebike+transit": "à vélo électrique, puis en bus ou en train",
        "moped+transit": "en scooter, puis en bus ou en train",
        "car+transit": "en voiture, puis en bus ou en train",
    },
}  # fmt: skip
"""How one travels, at the end of a sentence: "you get around on foot"."""

_VEHICLES: dict[str, dict[str, str]] = {
    "en": {"bike": "bike", "ebike": "electric bike", "moped": "moped", "car": "car"},
    "fr": {"bike": "vélo", "ebike": "vélo électrique", "moped": "scooter", "car": "voiture"},
}
"""The vehicles of the map's legend."""

_LICENCE_WORDS: dict[str, dict[str, str]] = {
    "en": {"AM": "AM (moped)", "B": "B (car)"},
    "fr": {"AM": "AM (scooter)", "B": "B (voiture)"},
}

_KINDS: dict[str, dict[str, tuple[str, str, str]]] = {
    "en": {
        "job": ("Job", "at work", "Leave work"),
        "training": ("Training", "at the training centre", "Leave the training centre"),
    },
    "fr": {
        "job": ("Emploi", "au travail", "Quitter le travail"),
        "training": ("Formation", "en formation", "Quitter la formation"),
    },
}
"""Per kind of offer: its name, where one arrives, and leaving it."""

_OTHER_KIND = {"en": ("there", "Leave"), "fr": ("sur place", "Repartir")}

_DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
}
_LONG_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
}  # fmt: skip
_DAY_KIND_WORDS = {
    "en": {"weekday": "on weekdays", "saturday": "on Saturdays", "sunday": "on Sundays"},
    "fr": {"weekday": "en semaine", "saturday": "le samedi", "sunday": "le dimanche"},
}
"""The kinds of working day of :data:`reachable.diagnosis.DAY_KINDS`, after "not"."""

_STATUS = ("now", "aid", "out")
_STATUS_STYLE = {
    # Colours for the screen, shapes for black-and-white prints: circle, diamond, square.
    "now": {"colour": "#1a7f3c", "marker": "o", "symbol": "\u25cf", "size": 11},
    "aid": {"colour": "#f28e1c", "marker": "D", "symbol": "\u25c6", "size": 9.5},
    "out": {"colour": "#a6a6a6", "marker": "s", "symbol": "\u25a0", "size": 9.5},
}
_HOME_SIZE = 15
_DIRECTIONS = tuple(
    (round(math.cos(math.radians(a)), 3), round(math.sin(math.radians(a)), 3)) for a in range(0, 360, 45)
)
"""Where an offer's number may go around its marker: right first, then counterclockwise."""
_HOUSE = [(-1.0, -1.0), (1.0, -1.0), (1.0, 0.25), (0.0, 1.15), (-1.0, 0.25), (-1.0, -1.0)]
"""The home marker's outline: a house, unlike any offer's shape."""
_LEG_STYLE = {
    "walk": {"color": "#222222", "linewidth": 1.8, "linestyle": (0, (3, 2))},
    "ride": {"color": "#1f5fa8", "linewidth": 3.2, "linestyle": "-"},
    "vehicle": {"color": "#7b3294", "linewidth": 2.4, "linestyle": "-."},
}
"""Routes: walks dashed, buses and trains solid and thick, one's own vehicle dash-dotted."""
_MAP_ASPECT = 1.5
"""Width over height of the map, as a printed A4 page leaves room for it under the tables."""
_MIN_SPAN = 2000.0
"""Metres: the least width of the map, so that streets around a near offer still show."""
_OPENERS_SHOWN = 3
"""Aids named in the table of offers for an offer they open; the table of aids has them all."""
_ITINERARY_OPTIONS = (
    "max_transfers", "board_slack", "seed", "max_snap_distance", "max_access_time", "bike_speed",
    "ebike_speed", "car_speed_factor", "bike_parking_only", "park_and_ride",
)  # fmt: skip
_STREET_OPTIONS = ("bike_speed", "ebike_speed", "car_speed_factor", "max_snap_distance")
"""The diagnosis' routing settings that the map's routes use again, by bus or train and on the streets."""

_STYLE = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 9.5pt;
  line-height: 1.35; color: #111; background: #fff; max-width: 186mm; margin: 0 auto; padding: 8mm 0; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; } }
h1 { font-size: 17pt; margin: 0 0 1mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; padding-bottom: 0.8mm; border-bottom: 1.5px solid #111;
  break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 1.5mm; }
.intro { color: #333; margin-bottom: 3mm; }
dl { display: grid; grid-template-columns: 58mm 1fr; gap: 0.8mm 4mm; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
.summary { border: 1.5px solid #111; background: #f2f2f2; padding: 2mm 3mm; margin-top: 3mm; }
table { width: 100%; border-collapse: collapse; break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #8c8c8c; padding: 1.4mm 2mm; vertical-align: top; text-align: left; }
th { background: #e6e6e6; font-size: 8.5pt; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.now { white-space: nowrap; font-weight: bold; }
.offers th:nth-child(1) { width: 27%; }
.offers th:nth-child(2) { width: 14%; }
.offers th:nth-child(3) { width: 9%; }
.aids th:nth-child(1) { width: 34%; }
.aids th:nth-child(3) { width: 22%; }
.people th:nth-child(1) { width: 24%; }
.nowrap { white-space: nowrap; }
.yes { color: #14632f; }
.no { color: #8a1c1c; }
.mark { font-size: 11pt; }
.small { font-size: 8.5pt; color: #444; }
tr.best td { background: #fff0c8; }
.tag { display: inline-block; border: 1px solid #111; border-radius: 1.5mm; padding: 0 1.2mm;
  font-size: 7.5pt; font-weight: bold; text-transform: uppercase; white-space: nowrap; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #8c8c8c; }
figcaption { font-size: 8.5pt; color: #333; margin-top: 1mm; }
footer { margin-top: 4mm; padding-top: 1.5mm; border-top: 1px solid #8c8c8c; font-size: 8pt; color: #444; }
"""


def write_sheets(diagnosis: Diagnosis, path, *, person=None, lang: str = "en") -> Path:
    """Write the printable sheet of one person, or of everyone with an index page.

    Parameters
    ----------
    diagnosis : Diagnosis
        The result of :func:`reachable.diagnose`.
    path : str or Path
        With ``person``, the ``.html`` file to write. Without, a folder (made if needed) that
        receives one page per person, named after the id (letters, digits, ``-`` and ``_``
        kept), and ``index.html`` listing everyone.
    person : optional
        The id of one person of ``diagnosis.people``.
    lang : {"en", "fr"}, default "en"

    Returns
    -------
    Path
        The page written, or the index page.

    Raises
    ------
    InvalidParameterError
        Not a diagnosis, an unknown person or language, a ``path`` that is a folder for one
        person or an ``.html`` file for everyone.

    Notes
    -----
    Pages are made in full before any is written, and each file is written under a
    temporary name then renamed: an error leaves no half-written page.
    """
    if not isinstance(diagnosis, Diagnosis):
        raise InvalidParameterError(
            f"write_sheets takes the Diagnosis returned by reachable.diagnose, got {type(diagnosis).__name__}"
        )
    if lang not in LANGUAGES:
        raise InvalidParameterError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    path = Path(path)
    if person is not None:
        row = _person_row(diagnosis.people, person)
        if path.is_dir() or path.suffix.lower() not in (".html", ".htm"):
            raise InvalidParameterError(
                f"with person=, path is the .html file of that sheet, got {str(path)!r}"
            )
        text = _page(diagnosis, row, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, text)
        return path
    if path.suffix.lower() in (".html", ".htm") or (path.exists() and not path.is_dir()):
        raise InvalidParameterError(
            f"for everyone, path is a folder for the pages and their index, got {str(path)!r}; "
            "give person= for the sheet of one person"
        )
    names = _file_names(diagnosis.people["id"])
    pages = {name: _page(diagnosis, row, lang) for row, name in enumerate(names)}
    pages["index.html"] = _index(diagnosis, names, lang)
    path.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        _write(path / name, text)
    return path / "index.html"


def _person_row(people: pd.DataFrame, person) -> int:
    """The row of the person whose id is ``person`` (or reads as it: ``"7"`` for 7)."""
    ids = people["id"].tolist()
    rows = [k for k, value in enumerate(ids) if value == person] or [
        k for k, value in enumerate(ids) if str(value) == str(person)
    ]
    if not rows:
        shown = ", ".join(map(repr, ids[:10])) + (" ..." if len(ids) > 10 else "")
        raise InvalidParameterError(f"no person has the id {person!r}; the ids are {shown}")
    return rows[0]


def _file_names(ids) -> list[str]:
    """One file name per id: its safe characters, made unique and never ``index.html``."""
    names, taken = [], {"index"}
    for value in ids:
        ascii_id = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()  # é: e
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_id).strip("_") or "person"
        unique, k = stem, 1
        while unique.lower() in taken:
            k += 1
            unique = f"{stem}-{k}"
        taken.add(unique.lower())
        names.append(f"{unique}.html")
    return names


def _write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it: never half a page."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a sheet is meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Words and numbers ------------------------------------------------------------------------------


def _say(lang: str, key: str, **values) -> str:
    """The sentence ``key`` in ``lang``, filled in (values are escaped by the caller)."""
    return _typography(_WORDS[lang][key].format(**values), lang)


def _typography(text: str, lang: str) -> str:
    """French spacing and apostrophes: a no-break space before ``:``, a thin one before ``;?!``."""
    if lang != "fr":
        return text
    text = text.replace("'", _APOSTROPHE).replace(" :", f"{_NBSP}:")
    for mark in ";?!":
        text = text.replace(f" {mark}", f"{_NNBSP}{mark}")
    return text


def _colon(lang: str) -> str:
    return _typography(" :" if lang == "fr" else ":", lang)


def _e(text) -> str:
    return html.escape(str(text))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _minutes(value: float) -> str:
    return f"{round(float(value))}{_NBSP}min"


def _minute_range(values: list[float]) -> str:
    """``21 min``, or ``20–38 min`` for several values."""
    low, high = round(min(values)), round(max(values))
    return _minutes(low) if low == high else f"{low}\u2013{high}{_NBSP}min"


def _clock(when, lang: str, *, up: bool = False) -> str:
    """A time of day, ``5:26`` or ``5 h 26``: seconds dropped, or rounded up with ``up``."""
    when = pd.Timestamp(when)
    when = when.ceil("min") if up else when.floor("min")
    if lang == "fr":
        return f"{when.hour}{_NBSP}h{_NBSP}{when.minute:02d}"
    return f"{when.hour}:{when.minute:02d}"


def _hour(text: str, lang: str) -> str:
    """An offer's ``"HH:MM"`` as read: ``6:00``, or ``6 h`` and ``14 h 30`` in French."""
    hour, minute = (int(part) for part in text.split(":"))
    if lang == "fr":
        return f"{hour}{_NBSP}h" + (f"{_NBSP}{minute:02d}" if minute else "")
    return f"{hour}:{minute:02d}"


def _hours(start: str, end: str, lang: str) -> str:
    text = f"{_hour(start, lang)}{_NBSP}\u2013 {_hour(end, lang)}"
    if end <= start:  # a night shift
        text += f" ({_say(lang, 'next_day')})"
    return text


def _days(days, lang: str) -> str:
    """``Mon–Fri``, ``Mon, Wed–Fri``: runs of following days joined by a dash."""
    if len(days) == 7:
        return _say(lang, "every_day")
    names, runs = _DAY_NAMES[lang], []
    for day in sorted(days):
        if runs and day == runs[-1][1] + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    parts = []
    for first, last in runs:
        if last == first:
            parts.append(names[first])
        elif last == first + 1:
            parts.extend((names[first], names[last]))
        else:
            parts.append(f"{names[first]}\u2013{names[last]}")
    return ", ".join(parts)


def _km(metres: float, lang: str) -> str:
    text = f"{metres / 1000:.1f}" if metres < 9950 else f"{metres / 1000:.0f}"
    return (text.replace(".", ",") if lang == "fr" else text) + f"{_NBSP}km"


def _date(day: dt.date, lang: str) -> str:
    weekday, month = _LONG_DAYS[lang][day.weekday()], _MONTHS[lang][day.month - 1]
    return f"{weekday} {day.day} {month} {day.year}"


def _listing(items: list[str], lang: str, conjunction: str = "or") -> str:
    """``a, b or c``, or with ``conjunction="and"`` ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _say(lang, conjunction) + items[-1]


def _items(items: list[str], lang: str) -> str:
    """Items that may hold commas, one after the other: ``a; b; c``."""
    return _typography(" ; " if lang == "fr" else "; ", lang).join(items)


def _mode_words(mode: str, lang: str) -> str:
    return _MODE_WORDS[lang].get(mode, mode)


def _reason(code: str, lang: str) -> str:
    english, french = REASONS[code]
    return _typography(french, "fr") if lang == "fr" else english


def _aid_label(aid: Aid, lang: str) -> str:
    return (aid.label_fr if lang == "fr" else aid.label_en) or aid.label_en or aid.name


def _licence_words(licence: str, lang: str) -> str:
    """The licences that allow what ``licence`` allows: "licence AM or B"."""
    return _say(lang, "licence", names=_listing(list(COVERED_BY[licence]), lang))


def _kind_words(kind: str, lang: str) -> tuple[str, str, str]:
    """The name of a kind of offer, where one arrives there, and leaving it."""
    known = _KINDS[lang].get(kind.strip().lower())
    return known if known is not None else (_first_upper(kind), *_OTHER_KIND[lang])


# What a page shows ------------------------------------------------------------------------------


@dataclass
class _Offer:
    """One offer on one person's sheet."""

    number: int
    id: object
    name: str
    kind: str
    lon: float
    lat: float
    days: tuple
    start: str
    end: str
    hours_assumed: bool
    now: pd.Series
    openers: list[tuple[str, pd.Series]]  # the aids that open it, fastest first
    metres: float = 0.0
    legs: list[tuple[str, object]] = field(default_factory=list)  # (walk/ride/vehicle, metric line)
    lines: list[str] = field(default_factory=list)  # the bus and train lines taken there

    @property
    def status(self) -> str:
        return "now" if self.now["feasible"] else "aid" if self.openers else "out"


def _offers_of(diagnosis: Diagnosis, person_id) -> list[_Offer]:
    table = diagnosis.table[diagnosis.table["person"] == person_id]
    by_offer = {offer: rows for offer, rows in table.groupby("offer", sort=False)}
    offers = []
    for k, job in enumerate(diagnosis.offers.itertuples(index=False)):
        rows = by_offer[job.id]
        now = rows[rows["scenario"] == "now"].iloc[0]
        openers = []
        if not now["feasible"]:
            opened = rows[(rows["scenario"] != "now") & rows["feasible"]].sort_values(
                "daily_minutes", kind="stable"
            )
            openers = [(row["scenario"], row) for _, row in opened.iterrows()]
        offers.append(
            _Offer(
                number=k + 1, id=job.id, name=str(job.name), kind=job.kind, lon=float(job.lon),
                lat=float(job.lat), days=job.days, start=job.start, end=job.end,
                hours_assumed=bool(job.day_job), now=now, openers=openers,
            )
        )  # fmt: skip
    return offers


def _routes(diagnosis: Diagnosis, person: pd.Series, offers: list[_Offer]) -> None:
    """Give each offer reachable now the legs of its trip there (and its lines), in metres."""
    import geopandas as gpd

    network, settings = diagnosis.network, diagnosis.settings
    home = (float(person["lon"]), float(person["lat"]))
    own = {"walk_speed": float(person["walk_speed"]), "max_time": float(person["max_commute"])}
    for offer in offers:
        if offer.status != "now":
            continue
        mode, place = offer.now["mode"], (offer.lon, offer.lat)
        if is_transit(mode):
            options = {k: settings[k] for k in _ITINERARY_OPTIONS if k in settings}
            legs = itinerary(
                network, home, place, departure=offer.now["leave"], mode=mode,
                max_walk_time=float(person["max_walk_time"]), **own, **options,
            )  # fmt: skip
            kinds = ["walk" if m == "walk" else "ride" if m == "ride" else "vehicle" for m in legs["mode"]]
            lines = legs.loc[legs["mode"] == "ride", "route_short_name"].astype(str)
            offer.lines = list(dict.fromkeys(name for name in lines if name))
            geometry = legs.geometry
        else:
            options = {k: settings[k] for k in _STREET_OPTIONS if k in settings}
            line = street_route(network, home, place, mode=mode, **own, **options)
            kinds = ["walk" if mode == "walk" else "vehicle"]
            geometry = gpd.GeoSeries([line], crs="EPSG:4326")
        metric = geometry.to_crs(network.crs)
        offer.legs = [(kind, line) for kind, line in zip(kinds, metric, strict=True) if not line.is_empty]


def _page(diagnosis: Diagnosis, row: int, lang: str) -> str:
    """The HTML of one person's sheet."""
    import geopandas as gpd

    person = diagnosis.people.iloc[row]
    offers = _offers_of(diagnosis, person["id"])
    _routes(diagnosis, person, offers)
    points = gpd.GeoSeries.from_xy(
        [person["lon"], *(o.lon for o in offers)], [person["lat"], *(o.lat for o in offers)], crs="EPSG:4326"
    ).to_crs(diagnosis.network.crs)
    for offer, point in zip(offers, points.iloc[1:], strict=True):
        offer.metres = float(point.distance(points.iloc[0]))
    summary = diagnosis.summary.iloc[row]
    effects = diagnosis.aid_effects[diagnosis.aid_effects["person"] == person["id"]].set_index("aid")
    name = _e(person["name"])
    body = [
        f"<h1>{_e(_say(lang, 'title'))}{_NBSP}\u2014 {name}</h1>",
        f"<p class='intro'>{_e(_say(lang, 'intro'))}</p>",
        _situation(diagnosis, person, summary, effects, lang),
        f"<h2>{_e(_say(lang, 'offers'))}</h2>",
        _offer_table(diagnosis, offers, lang),
        f"<h2>{_e(_say(lang, 'aids'))}</h2>",
        _aid_section(diagnosis, person, offers, summary, effects, lang),
        f"<h2>{_e(_say(lang, 'map'))}</h2>",
        _map_figure(diagnosis, points.iloc[0], points.iloc[1:], offers, lang),
        _footer(diagnosis, lang),
    ]
    return _document(f"{_say(lang, 'title')} \u2014 {person['name']}", body, lang)


def _document(title: str, body: list[str], lang: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>", f"<html lang='{lang}'>", "<head>", "<meta charset='utf-8'>",
        f"<title>{_e(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>", *body,
        "</body>", "</html>", "",
    ])  # fmt: skip


def _situation(diagnosis, person, summary, effects, lang: str) -> str:
    modes = usable(person["modes"], person["licences"])
    licences = person["licences"]
    licence_text = (
        ", ".join(_LICENCE_WORDS[lang].get(held, held) for held in licences)
        if licences
        else _say(lang, "no_licence")
    )
    facts = [
        (_say(lang, "modes_now"), ", ".join(_mode_words(m, lang) for m in modes)),
        (_say(lang, "licences"), licence_text),
        (_say(lang, "max_trip"), _say(lang, "each_way", minutes=_minutes(person["max_commute"]))),
    ]
    if any(map(is_transit, modes)):
        facts.append((_say(lang, "max_walk"), _minutes(person["max_walk_time"])))
    listing = "".join(f"<dt>{_e(term)}</dt><dd>{_e(value)}</dd>" for term, value in facts)
    reach = _say(lang, "k_of_n", k=int(summary["feasible_now"]), n=int(summary["offers"]))
    best = _best(summary, effects)
    if best:
        best_text = _say(
            lang, "best_aid_value", aid=_first_upper(_aid_label(diagnosis.aids[best], lang)),
            effect=_effect(effects.loc[best], lang),
        )  # fmt: skip
    else:
        best_text = _say(lang, "no_aid")
    colon = _colon(lang)
    return (
        f"<h2>{_e(_say(lang, 'situation'))}</h2><dl>{listing}</dl>"
        f"<div class='summary'><p><b>{_e(_say(lang, 'reachable_now'))}{colon}</b> {_e(reach)}</p>"
        f"<p><b>{_e(_say(lang, 'best_aid'))}{colon}</b> {_e(best_text)}</p></div>"
    )


def _helps(effect: pd.Series) -> bool:
    """Whether an aid opens an offer or saves time, in the whole minutes the sheet shows."""
    return effect["opens"] > 0 or round(effect["minutes_saved"]) > 0


def _best(summary: pd.Series, effects: pd.DataFrame) -> str:
    """The summary's most helpful aid, or "" when what it changes rounds to nothing."""
    best = summary["best_aid"]
    return best if best and _helps(effects.loc[best]) else ""


def _effect(effect: pd.Series, lang: str) -> str:
    """What an aid does: "opens 2 offers, saves 12 min a day"."""
    parts = []
    if effect["opens"] > 0:
        n = int(effect["opens"])
        parts.append(_say(lang, "opens_n" if n == 1 else "opens_n_plural", n=n))
    if round(effect["minutes_saved"]) > 0:
        parts.append(_say(lang, "saves", minutes=_minutes(effect["minutes_saved"])))
    return ", ".join(parts)


def _marker(offer: _Offer) -> str:
    style = _STATUS_STYLE[offer.status]
    return f"<span class='mark' style='color:{style['colour']}'>{style['symbol']}</span>{_NBSP}{offer.number}"


def _offer_cell(offer: _Offer, lang: str) -> str:
    kind = _kind_words(offer.kind, lang)[0]
    name = f"<b>{_marker(offer)} {_e(offer.name)}</b>"
    if offer.name != str(offer.id):
        name += f" <span class='small'>({_e(offer.id)})</span>"
    where = _say(lang, "from_home", km=_km(offer.metres, lang))
    return f"{name}<br><span class='small'>{_e(kind)} \u00b7 {_e(where)}</span>"


def _offer_table(diagnosis: Diagnosis, offers: list[_Offer], lang: str) -> str:
    head = "".join(
        f"<th>{_e(_say(lang, key))}</th>" for key in ("col_offer", "col_when", "col_now", "col_how")
    )
    rows = []
    for offer in offers:
        hours = _e(_hours(offer.start, offer.end, lang))
        when = f"{_e(_days(offer.days, lang))}<br><span class='nowrap'>{hours}</span>"
        if offer.hours_assumed:
            when += f"<br><span class='small'>({_e(_say(lang, 'hours_assumed'))})</span>"
        now = offer.now
        if now["feasible"]:
            answer = f"<span class='yes'>{_e(_say(lang, 'yes'))}</span>"
            how = _trip(offer, now, lang)
        else:
            answer = f"<span class='no'>{_e(_say(lang, 'no'))}</span>"
            how = _why_not(offer, diagnosis, lang)
        rows.append(
            f"<tr><td>{_offer_cell(offer, lang)}</td><td>{when}</td><td class='now'>{answer}</td>"
            f"<td>{how}</td></tr>"
        )
    return f"<table class='offers'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _trip(offer: _Offer, row: pd.Series, lang: str) -> str:
    """How and when: "By bike, 58 min of travel a day. Leave home at 5:26, at work at 5:55. ..."."""
    _, there, leave_from = _kind_words(offer.kind, lang)
    mode = _bold(_first_upper(_mode_words(row["mode"], lang)))
    if offer.lines:
        key = "lines" if len(offer.lines) == 1 else "lines_plural"
        mode += f" ({_e(_say(lang, key, names=_say(lang, 'then').join(offer.lines)))})"
    # The sentences are filled with HTML: the words of the sheet need no escaping, the clock
    # times stand out in bold.
    how = _say(lang, "how", mode=mode, minutes=_minutes(row["daily_minutes"]))
    going = _say(
        lang, "leave_home", leave=_bold(_clock(row["leave"], lang)), there=there,
        arrive=_bold(_clock(row["arrive"], lang, up=True)),
    )  # fmt: skip
    back = _say(
        lang, "go_home", leave_from=leave_from, leave=_bold(_clock(row["leave_back"], lang)),
        home=_bold(_clock(row["arrive_back"], lang, up=True)),
    )  # fmt: skip
    return f"{how}<br>{going}<br>{back}"


def _bold(text: str) -> str:
    return f"<b>{_e(text)}</b>"


def _why_not(offer: _Offer, diagnosis: Diagnosis, lang: str) -> str:
    """The reason, the day it fails when another works, and the aids that open it."""
    now = offer.now
    reason = _reason(now["reason"], lang)
    # A best mode is kept when the first working day works: then another kind of day fails.
    if now["mode"] and now["failing_day"]:
        text = _say(lang, "not_on", days=_DAY_KIND_WORDS[lang][now["failing_day"]], reason=reason)
    else:
        text = _first_upper(reason) + "."
    parts = [_e(text)]
    if offer.openers:
        labels = [_aid_label(diagnosis.aids[name], lang) for name, _ in offer.openers]
        # The fastest few (the table of aids gives them all), between semicolons: a label may
        # hold commas and "and".
        aids = _items(labels[:_OPENERS_SHOWN], lang)
        if len(labels) > _OPENERS_SHOWN:
            n = len(labels) - _OPENERS_SHOWN
            aids = _say(lang, "more_one" if n == 1 else "more_many", aids=aids, n=n)
        parts.append(f"<span class='small'>{_e(_say(lang, 'opened_by', aids=aids))}</span>")
    return "<br>".join(parts)


def _aid_section(diagnosis, person, offers: list[_Offer], summary, effects, lang: str) -> str:
    held = person["licences"]
    helping, lacking, useless = [], [], []
    for name, aid in diagnosis.aids.items():
        effect = effects.loc[name]
        if not holds(aid.requires, (*held, *aid.grants)):
            licence = _licence_words(aid.requires, lang)
            lacking.append(_say(lang, "requires", aid=_aid_label(aid, lang), licence=licence))
        elif _helps(effect):
            helping.append(name)
        else:
            useless.append(_aid_label(aid, lang))
    best = _best(summary, effects)
    helping.sort(key=lambda name: name != best)  # the most helpful first, then the catalogue's order
    parts = []
    if helping:
        head = "".join(f"<th>{_e(_say(lang, k))}</th>" for k in ("col_aid", "col_opens", "col_saves"))
        rows = [_aid_row(diagnosis, name, offers, effects.loc[name], name == best, lang) for name in helping]
        parts.append(
            f"<table class='aids'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    else:
        parts.append(f"<p>{_e(_say(lang, 'none_helps'))}</p>")
    colon = _colon(lang)
    if lacking:
        parts.append(
            f"<p style='margin-top:2mm'><b>{_e(_say(lang, 'needs_licence'))}{colon}</b> "
            f"{_e(_items(lacking, lang))}.</p>"
        )
    if useless:
        parts.append(f"<p><b>{_e(_say(lang, 'no_change'))}{colon}</b> {_e(_items(useless, lang))}.</p>")
    return "".join(parts)


def _aid_row(diagnosis, name: str, offers: list[_Offer], effect: pd.Series, best: bool, lang: str) -> str:
    label = _e(_first_upper(_aid_label(diagnosis.aids[name], lang)))
    if best:
        label += f" <span class='tag'>{_e(_say(lang, 'most_helpful'))}</span>"
    # The offers it opens by their numbers, grouped by how one gets there.
    by_mode: dict[str, list[tuple[int, float]]] = {}
    for offer in offers:
        row = next((row for aid, row in offer.openers if aid == name), None)
        if row is not None:
            by_mode.setdefault(row["mode"], []).append((offer.number, row["daily_minutes"]))
    groups = [
        _say(
            lang, "opens_group", numbers=_listing([str(n) for n, _ in opened], lang, "and"),
            mode=_mode_words(mode, lang), minutes=_minute_range([m for _, m in opened]),
        )
        for mode, opened in by_mode.items()
    ]  # fmt: skip
    opens = "<br>".join(map(_e, groups)) or "\u2013"
    saved = _minutes(effect["minutes_saved"]) if round(effect["minutes_saved"]) > 0 else "\u2013"
    return f"<tr{' class=best' if best else ''}><td>{label}</td><td>{opens}</td><td>{saved}</td></tr>"


def _footer(diagnosis: Diagnosis, lang: str) -> str:
    settings = diagnosis.settings
    text = _say(
        lang, "footer", early=_minutes(settings.get("arrive_early", 5)),
        after=_minutes(settings.get("leave_after", 5)),
    )  # fmt: skip
    dates = diagnosis.network.dates
    if dates:
        text += _say(lang, "timetable", date=", ".join(_date(day, lang) for day in dates))
    return f"<footer>{_e(text)}</footer>"


# The map ----------------------------------------------------------------------------------------


def _map_figure(diagnosis: Diagnosis, home, places, offers: list[_Offer], lang: str) -> str:
    png = _map_png(diagnosis, home, places, offers, lang)
    data = base64.b64encode(png).decode("ascii")
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{_e(_say(lang, 'map_alt'))}'>"
        f"<figcaption>{_e(_say(lang, 'map_caption'))}</figcaption></figure>"
    )


def _map_png(diagnosis: Diagnosis, home, places, offers: list[_Offer], lang: str) -> bytes:
    """The map as PNG bytes: streets, routes, home and the numbered offers, a scale bar, a legend."""
    import shapely
    from matplotlib import patheffects
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    # A Figure of its own renders with Agg and leaves pyplot's figures and backend alone.
    fig = Figure(figsize=(7.2, 7.2 / _MAP_ASPECT + 0.75), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor("white")
    geometries = [home, *places, *(line for o in offers for _, line in o.legs)]
    _set_extent(ax, shapely.total_bounds(np.asarray(geometries, dtype=object)))
    _bare(ax)
    _draw_streets(ax, diagnosis.network)
    halo = [patheffects.Stroke(linewidth=5, foreground="white"), patheffects.Normal()]
    used = {}
    for offer in offers:
        for kind, line in offer.legs:
            x, y = line.xy
            ax.plot(x, y, solid_capstyle="round", zorder=4, path_effects=halo, **_LEG_STYLE[kind])
            used[kind] = True
    # Home under the offers: an offer next door stays visible.
    ax.plot(
        home.x, home.y, marker=_HOUSE, markersize=_HOME_SIZE, color="black", markeredgecolor="white",
        markeredgewidth=1.2, zorder=5, linestyle="none",
    )  # fmt: skip
    for offer, place in zip(offers, places, strict=True):
        style = _STATUS_STYLE[offer.status]
        ax.plot(
            place.x, place.y, marker=style["marker"], markersize=style["size"], color=style["colour"],
            markeredgecolor="black", markeredgewidth=1.0, zorder=6, linestyle="none",
        )  # fmt: skip
    _scale_bar(ax)
    places_row = [_legend_marker(_HOUSE, "black", 12, _say(lang, "home"))]
    statuses = dict.fromkeys(o.status for o in offers)
    for status in _STATUS:
        if status in statuses:
            style = _STATUS_STYLE[status]
            places_row.append(
                _legend_marker(style["marker"], style["colour"], 9, _say(lang, f"legend_{status}"))
            )
    # One's own vehicle: the mode of a street trip, or how one reaches the bus or train.
    modes = [split_mode(o.now["mode"])[1] or o.now["mode"] for o in offers if o.legs]
    vehicles = dict.fromkeys(m for m in modes if m not in ("walk", "transit"))
    labels = {
        "walk": _say(lang, "legend_walk"),
        "ride": _say(lang, "legend_ride"),
        "vehicle": _first_upper(", ".join(_VEHICLES[lang].get(v, v) for v in vehicles)),
    }
    routes_row = [
        Line2D([], [], label=labels[kind], **_LEG_STYLE[kind]) for kind in _LEG_STYLE if kind in used
    ]
    # Places on the first row, routes on the second: the legend fills column by column.
    columns = max(len(places_row), len(routes_row))
    rows = [places_row, routes_row] if routes_row else [places_row]
    blank = Line2D([], [], linestyle="none", label="")
    handles = [row[k] if k < len(row) else blank for k in range(columns) for row in rows]
    fig.legend(
        handles=handles, loc="outside lower center", ncols=columns, frameon=False, fontsize=8.5,
        handlelength=2.6, columnspacing=1.6,
    )  # fmt: skip
    fig.draw_without_rendering()  # the layout: where each marker lands on the image
    _number_offers(ax, home, places, offers)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _number_offers(ax, home, places, offers: list[_Offer]) -> None:
    """Write each offer's number in a box beside its marker, on the side where it hides least."""
    pixels = ax.figure.dpi / 72  # per point
    centres = ax.transData.transform([(home.x, home.y), *((place.x, place.y) for place in places)])
    # Markers and the labels placed so far, as discs (x, y, radius) in pixels.
    taken = [(x, y, 0.5 * _HOME_SIZE * pixels) for x, y in centres[:1]]
    taken += [
        (x, y, 0.5 * _STATUS_STYLE[o.status]["size"] * pixels)
        for o, (x, y) in zip(offers, centres[1:], strict=True)
    ]
    box = ax.get_window_extent()
    for offer, place, (x, y) in zip(offers, places, centres[1:], strict=True):
        radius = (4.0 + 2.5 * len(str(offer.number))) * pixels
        reach = 0.5 * _STATUS_STYLE[offer.status]["size"] + radius / pixels + 1  # points

        def crowding(direction, x=x, y=y, radius=radius, reach=reach) -> float:
            lx, ly = x + direction[0] * reach * pixels, y + direction[1] * reach * pixels
            overlap = sum(max(0.0, r + radius - math.hypot(lx - cx, ly - cy)) for cx, cy, r in taken)
            outside = max(0.0, box.x0 - (lx - radius), (lx + radius) - box.x1)
            outside = max(outside, box.y0 - (ly - radius), (ly + radius) - box.y1)
            return overlap + 10 * outside

        dx, dy = min(_DIRECTIONS, key=crowding)  # the first of the least crowded
        taken.append((x + dx * reach * pixels, y + dy * reach * pixels, radius))
        label = ax.annotate(
            str(offer.number), (place.x, place.y), xytext=(dx * reach, dy * reach),
            textcoords="offset points", ha="center", va="center", fontsize=8, fontweight="bold", zorder=9,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "black", "linewidth": 0.7},
        )  # fmt: skip
        label.set_in_layout(False)  # the map keeps the place the layout gave it


def _legend_marker(marker, colour: str, size: float, label: str):
    from matplotlib.lines import Line2D

    return Line2D(
        [], [], marker=marker, markersize=size, color=colour, markeredgecolor="black", linestyle="none",
        label=label,
    )  # fmt: skip


def _set_extent(ax, bounds) -> None:
    """Frame ``bounds`` with a margin, at least :data:`_MIN_SPAN` wide, in the map's proportions."""
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    pad = 0.08 * max(width, height)
    width, height = max(width + 2 * pad, _MIN_SPAN), height + 2 * pad
    width, height = max(width, height * _MAP_ASPECT), max(height, width / _MAP_ASPECT)
    middle_x, middle_y = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(middle_x - width / 2, middle_x + width / 2)
    ax.set_ylim(middle_y - height / 2, middle_y + height / 2)


# The index --------------------------------------------------------------------------------------


def _index(diagnosis: Diagnosis, names: list[str], lang: str) -> str:
    """The HTML of the index: everyone, what they reach now, the aid that helps most, their page."""
    heads = ("col_person", "col_reach", "col_best", "col_sheet")
    head = "".join(f"<th>{_e(_say(lang, key))}</th>" for key in heads)
    rows = []
    for (_, summary), name in zip(diagnosis.summary.iterrows(), names, strict=True):
        reach = _say(lang, "k_of_n", k=int(summary["feasible_now"]), n=int(summary["offers"]))
        effects = diagnosis.aid_effects[diagnosis.aid_effects["person"] == summary["person"]].set_index("aid")
        best = _best(summary, effects)
        if best:
            label = _first_upper(_aid_label(diagnosis.aids[best], lang))
            best_text = f"{label} ({_effect(effects.loc[best], lang)})"
        else:
            best_text = _say(lang, "nothing")
        link = html.escape(name, quote=True)
        rows.append(
            f"<tr><td><a href='{link}'>{_e(summary['name'])}</a></td><td>{_e(reach)}</td>"
            f"<td>{_e(best_text)}</td><td><a href='{link}'>{_e(name)}</a></td></tr>"
        )
    body = [
        f"<h1>{_e(_say(lang, 'index_title'))}</h1>",
        f"<p class='intro'>{_e(_say(lang, 'index_intro'))}</p>",
        f"<table class='people'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        _footer(diagnosis, lang),
    ]
    return _document(_say(lang, "index_title"), body, lang)
