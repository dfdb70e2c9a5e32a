"""What a mobility adviser can offer a person: vehicle loans, a transit pass, a licence course.

An :class:`Aid` adds modes to those a person can use, may require a driving licence, and
may grant one (the AM course for mopeds). :func:`default` gives the usual catalogue; edit it
like a dict, or combine aids by name with :func:`combine` (``"am_training+moped_loan"``).

Licences follow the French categories: ``AM`` for mopeds (the 45 km/h two-wheelers lent
by mobility platforms; a ``B`` car licence also allows them), ``B`` for cars.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import InvalidParameterError
from .modes import ACCESS_MODES, combined_mode, split_mode

LICENCES: tuple[str, ...] = ("AM", "B")
"""Driving licences the library knows."""

COVERED_BY: dict[str, tuple[str, ...]] = {"AM": ("AM", "B"), "B": ("B",)}
"""The licences that cover each one: a B car licence also allows mopeds."""

LICENCE_OF_MODE: dict[str, tuple[str, ...]] = {
    "moped": ("AM", "B"),
    "car": ("B",),
}
"""Licences that allow driving each motor vehicle (any one of them)."""

MODES: tuple[str, ...] = (*ACCESS_MODES, *(combined_mode(m) for m in ACCESS_MODES))
"""Every mode a person or an aid may name: street modes, ``transit`` and the combined modes."""


@dataclass(frozen=True)
class Aid:
    """One thing an adviser can offer.

    Attributes
    ----------
    name : str
        Its identifier, e.g. ``"ebike_loan"``.
    modes : tuple of str
        Modes the person can use with it, on top of their own.
    requires : str or None
        A licence needed to use it (``"B"`` for a car loan), unless the aid grants it.
    grants : tuple of str
        Licences it gives (``("AM",)`` for the moped licence course).
    label_en, label_fr : str
        How it reads on the sheet, in plain words.
    """

    name: str
    modes: tuple[str, ...]
    requires: str | None = None
    grants: tuple[str, ...] = ()
    label_en: str = ""
    label_fr: str = ""

    def __post_init__(self) -> None:
        unknown = [m for m in self.modes if m not in MODES]
        if unknown:
            raise InvalidParameterError(
                f"aid {self.name!r}: unknown mode {', '.join(map(repr, unknown))}; "
                f"choose among {', '.join(MODES)}"
            )
        for licence in (*self.grants, *([self.requires] if self.requires else [])):
            if licence not in LICENCES:
                raise InvalidParameterError(
                    f"aid {self.name!r}: unknown licence {licence!r}; choose among {', '.join(LICENCES)}"
                )


def default() -> dict[str, Aid]:
    """The usual catalogue of a mobility platform, keyed by name.

    ``bike_loan``, ``ebike_loan``, ``moped_loan`` (requires AM), ``am_training+moped_loan``
    (the AM course, then a moped), ``car_loan`` (requires B), ``transit_pass`` (public
    transport for someone who cannot pay for it) and ``bike+transit`` (a bike and how to take
    it to the stop). Edit the returned dict to match your own fleet.
    """
    aids = [
        Aid("bike_loan", ("bike",), label_en="a lent bike", label_fr="un vélo prêté"),
        Aid(
            "ebike_loan",
            ("ebike",),
            label_en="a lent electric bike",
            label_fr="un vélo à assistance électrique prêté",
        ),
        Aid("moped_loan", ("moped",), requires="AM", label_en="a lent moped", label_fr="un scooter prêté"),
        Aid("car_loan", ("car",), requires="B", label_en="a lent car", label_fr="une voiture prêtée"),
        Aid(
            "transit_pass",
            ("transit",),
            label_en="a public transport pass",
            label_fr="un abonnement de transports en commun",
        ),
        Aid(
            "bike+transit",
            ("bike", "bike+transit"),
            label_en="a lent bike, ridden to the bus or train",
            label_fr="un vélo prêté, pour rejoindre le bus ou le train",
        ),
    ]
    catalogue = {aid.name: aid for aid in aids}
    am_training = Aid(
        "am_training",
        (),
        grants=("AM",),
        label_en="the moped licence course",
        label_fr="la formation au permis AM",
    )
    catalogue["am_training+moped_loan"] = combine(am_training, catalogue["moped_loan"])
    return catalogue


def combine(*aids: Aid) -> Aid:
    """One aid made of several, given together (``am_training`` then ``moped_loan``).

    Its modes and licences are those of all; a licence one of them grants is no longer
    required.
    """
    if not aids:
        raise InvalidParameterError("combine needs at least one aid")
    grants = tuple(dict.fromkeys(g for aid in aids for g in aid.grants))
    required = [aid.requires for aid in aids if aid.requires and aid.requires not in grants]
    if len(set(required)) > 1:
        raise InvalidParameterError(f"aids requiring different licences cannot be combined: {required}")
    return Aid(
        "+".join(aid.name for aid in aids),
        tuple(dict.fromkeys(m for aid in aids for m in aid.modes)),
        requires=required[0] if required else None,
        grants=grants,
        label_en=" and ".join(aid.label_en for aid in aids if aid.label_en),
        label_fr=" et ".join(aid.label_fr for aid in aids if aid.label_fr),
    )


def catalogue(aids) -> dict[str, Aid]:
    """The aids of a diagnosis: a dict or list of :class:`Aid`, or names of :func:`default`."""
    if aids is None:
        return default()
    if isinstance(aids, Mapping):
        items: Iterable = aids.values()
    elif isinstance(aids, (str, Aid)):
        items = [aids]
    else:
        items = aids
    known, result = default(), {}
    for item in items:
        if isinstance(item, str):
            if item not in known:
                raise InvalidParameterError(
                    f"unknown aid {item!r}; the default catalogue has {', '.join(known)}"
                )
            item = known[item]
        if not isinstance(item, Aid):
            raise InvalidParameterError(f"aids are Aid objects or names of rc.aids.default(), got {item!r}")
        result[item.name] = item
    return result


def usable(modes: Iterable[str], licences: Iterable[str]) -> tuple[str, ...]:
    """The ``modes`` a person holding ``licences`` may use (motor vehicles need theirs)."""
    held = set(licences)
    return tuple(m for m in modes if allowed(m, held))


def holds(licence: str | None, licences: Iterable[str]) -> bool:
    """Whether ``licences`` cover ``licence`` (None: nothing required)."""
    return licence is None or bool(set(COVERED_BY[licence]) & set(licences))


def allowed(mode: str, licences: Iterable[str]) -> bool:
    """Whether someone holding ``licences`` may use ``mode`` (``car+transit`` needs a B)."""
    needed = LICENCE_OF_MODE.get(split_mode(mode)[1] or mode)
    return needed is None or bool(set(needed) & set(licences))
