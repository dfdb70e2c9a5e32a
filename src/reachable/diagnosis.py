"""The mobility diagnosis: which offers a person reaches in time now, and which aid opens the rest.

For each person, offer and scenario (``now``, then each aid of the catalogue), each working
day of the offer is checked with the shift rules of :func:`reachable.shifts`: there by the
start (``arrive_early`` minutes before), home after the end (leaving ``leave_after`` minutes
after it), each trip within the person's ``max_commute``. The best mode is the feasible one
with the shortest day of commuting (on a tie, walking, then another street mode, before
public transport). Travel times are computed once per mode and shift for everyone
(:func:`reachable.travel_time_matrix`), then each scenario picks among its modes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._checks import positive
from ._progress import progress_bar
from .aids import Aid, catalogue, holds, usable
from .cluster import check_client, chunks, run
from .errors import InvalidParameterError, UnknownModeError
from .matrix import routing_settings, travel_time_matrix
from .modes import is_transit
from .network.network import Network
from .network.snapping import DEFAULT_MAX_SNAP_DISTANCE
from .people import read_offers, read_people
from .points import as_points
from .routing.street import check_points, mostly_off_allowed
from .routing.transit import walk_legs
from .shifts import shifts

REASONS: dict[str, tuple[str, str]] = {
    "needs_licence": (
        "the vehicle needs a driving licence you do not have", "il faut un permis que vous n'avez pas"
    ),
    "no_trip_back": (
        "you can get there in time, but not home after work",
        "l'aller est possible, pas le retour après le travail",
    ),
    "no_timetable": (
        "the timetable of those days is not loaded", "les horaires de ces jours ne sont pas chargés"
    ),
    "no_transit_then": ("no bus or train runs at those hours", "aucun bus ni train ne circule à ces heures"),
    "too_far": ("too far for the time you can spend", "trop loin pour le temps de trajet possible"),
}  # fmt: skip
"""Why an offer is out of reach, as codes with plain English and French words, in the order checked."""

DAY_KINDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("weekday", (0, 1, 2, 3, 4)),
    ("saturday", (5,)),
    ("sunday", (6,)),
)
"""The working days checked: one weekday stands for Monday to Friday."""

MIN_SAVING = 1.0
"""Daily minutes an aid must save, on offers already in reach, to count as helping."""

NOMINAL_MONDAY = dt.date(2024, 1, 1)
"""The calendar of a network without timetable: street times do not depend on the day."""

_STREET_OPTIONS = ("bike_speed", "ebike_speed", "car_speed_factor", "max_snap_distance")


PEOPLE_PER_TASK = 100
"""People per task on a cluster: each task searches every offer for them."""


@dataclass
class Diagnosis:
    """The result of :func:`diagnose`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per person, offer and scenario: ``person``, ``offer``, ``scenario``
        (``"now"`` or an aid's name), ``feasible`` (every working day works), ``mode`` (the
        best, empty when none), ``leave``, ``arrive``, ``leave_back``, ``arrive_back``
        (Timestamps of the first working day checked: leave home, arrive at work, leave
        work, back home), ``minutes_there``, ``minutes_back``, ``daily_minutes``,
        ``reason`` (a key of :data:`REASONS`, empty when feasible), ``failing_day`` (the
        first kind of day that does not work: ``weekday``, ``saturday`` or ``sunday``; empty
        when feasible), ``days`` (the days checked, e.g. ``"weekday, saturday"``) and
        ``note``.
    summary : pandas.DataFrame
        One row per person: ``person``, ``name``, ``offers``, ``feasible_now`` (count),
        ``feasible_now_offers`` (ids, comma separated), ``best_aid`` (most offers opened,
        then least daily commuting over the offers feasible with it, then most minutes saved;
        empty when no aid helps), ``best_aid_opens``,
        ``best_aid_minutes_saved``.
    aid_effects : pandas.DataFrame
        One row per person and aid: ``opens`` (count), ``opened_offers``, ``minutes_saved``
        (daily minutes saved on offers feasible both now and with the aid),
        ``commute_minutes`` (daily minutes summed over the offers feasible with the aid).
    caseload : pandas.DataFrame
        One row per aid: ``best_for`` (people for whom it is the best aid), ``helps``
        (people it opens an offer to or saves time), ``offers_opened`` (in all).
    people, offers : pandas.DataFrame
        The frames as read (:func:`reachable.people.read_people`, ``read_offers``).
    aids : dict of Aid
    network : Network
    settings : dict
        ``arrive_early``, ``leave_after`` and the routing options.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    aid_effects: pd.DataFrame
    caseload: pd.DataFrame
    people: pd.DataFrame
    offers: pd.DataFrame
    aids: dict[str, Aid]
    network: Network
    settings: dict = field(default_factory=dict)

    def to_html(self, path, *, person=None, lang: str = "en") -> Path:
        """Write the sheet of one person, or of everyone and an index page (see :mod:`reachable.sheet`).

        Parameters
        ----------
        path : str or Path
            An ``.html`` file for one ``person``; a folder for everyone (``index.html`` and
            one page per person).
        person : optional
            The id of one person.
        lang : {"en", "fr"}

        Returns
        -------
        Path
            The page, or the index page.
        """
        from .sheet import write_sheets

        return write_sheets(self, path, person=person, lang=lang)


def diagnose(
    network: Network,
    people,
    offers,
    *,
    aids=None,
    arrive_early: float = 5,
    leave_after: float = 5,
    progress: bool | None = None,
    client=None,
    **routing,
) -> Diagnosis:
    """Which offers each person reaches in time, there and back, now and with each aid.

    Parameters
    ----------
    network : Network
        With every mode the people and aids use (``transit`` needs GTFS), built for the
        days to check: one weekday, and a Saturday and a Sunday for offers on those days
        (``date=[...]``); a shift ending after midnight needs the next day too. Days the
        timetable lacks are not checked for public transport (reason ``no_timetable``).
    people : pandas.DataFrame or geopandas.GeoDataFrame
        See :func:`reachable.people.read_people`: ``id``, home, ``modes``, ``licences``,
        ``max_commute`` (minutes one way), optional ``walk_speed``, ``max_walk_time``.
    offers : pandas.DataFrame or geopandas.GeoDataFrame
        See :func:`reachable.people.read_offers`: ``id``, ``kind``, place, ``start``,
        ``end``, ``days``.
    aids : dict, list or None
        The catalogue (:func:`reachable.aids.default` when None), or names in it.
    arrive_early, leave_after : float, default 5
        Minutes between arriving and the start, and between the end and leaving.
    progress : bool, optional
        A progress bar over the searches.
    client : distributed.Client, optional
        Diagnose chunks of people on a Dask cluster (see :mod:`reachable.cluster`): the
        same tables, bit for bit.
    **routing
        Other settings of :func:`travel_time_matrix` shared by everyone (``bike_speed``,
        ``ebike_speed``, ``car_speed_factor``, ``max_transfers``, ``board_slack``,
        ``park_and_ride``...); ``walk_speed`` and ``max_walk_time`` come from each person.

    Returns
    -------
    Diagnosis

    Raises
    ------
    InvalidPointsError
        Bad people or offer rows, all listed.
    UnknownModeError
        A mode someone or some aid uses that the network was not built for.
    InvalidParameterError
        Bad aids or timing options, and the routing errors of :func:`travel_time_matrix`.
    """
    for name in ("walk_speed", "max_walk_time", "mode", "departure", "arrival", "max_time"):
        if name in routing:
            raise InvalidParameterError(
                f"{name} is not an option of diagnose: "
                + (
                    "it comes from each person's row"
                    if name in ("walk_speed", "max_walk_time")
                    else "the modes come from people and aids, the times from the offers"
                )
            )
    early = positive("arrive_early", arrive_early, unit="minutes", allow_zero=True)
    after = positive("leave_after", leave_after, unit="minutes", allow_zero=True)
    folks, jobs, kit = read_people(people), read_offers(offers), catalogue(aids)
    if client is not None:
        check_client(client)
        options = dict(aids=kit, arrive_early=early, leave_after=after, **routing)
        parts = run(diagnose, network, chunks(people, PEOPLE_PER_TASK, client=client), offers, client=client,
                    progress=progress, what="diagnosis", options=options)  # fmt: skip
        table, summary, effects = (
            pd.concat([getattr(d, name) for d in parts], ignore_index=True)
            for name in ("table", "summary", "aid_effects")
        )
        return Diagnosis(
            table=table, summary=summary, aid_effects=effects,
            caseload=_caseload(summary, effects, kit), people=folks, offers=jobs, aids=kit, network=network,
            settings={"arrive_early": early, "leave_after": after, **routing},
        )  # fmt: skip
    plans = scenarios(folks, kit)
    needed = modes_needed(plans)
    missing = [m for m in needed if m not in network.modes]
    if missing:
        raise UnknownModeError(
            f"the network cannot route {', '.join(missing)}, which people or aids use (it has "
            f"{', '.join(network.modes)}); build it with those modes (and gtfs= for public transport)"
        )
    # The modes an aid would give with a licence tell where the licence is missing, if routable.
    needed += sorted({m for modes in plans["unlicensed"] for m in modes} & set(network.modes) - set(needed))
    days = _working_days(network, jobs)
    # The places are checked once on foot (swapped coordinates, another city); then each mode
    # may reach only some of them.
    limit = routing.get("max_snap_distance", DEFAULT_MAX_SNAP_DISTANCE)
    on_foot = "walk" if "walk" in network.modes else network.modes[0]
    for frame, name in ((folks, "people"), (jobs, "offers")):
        check_points(network, on_foot, frame["lon"].to_numpy(), frame["lat"].to_numpy(), ids=frame["id"],
                     name=name, limit=limit)  # fmt: skip
    with mostly_off_allowed():
        trips = _trips(network, folks, jobs, days, needed, early, after, routing, progress)
    names = ["now", *kit]
    outcome = _outcome(trips, plans, names, folks, days, len(jobs))
    effects = _aid_effects(outcome, folks, jobs, names)
    summary = _summary(outcome, effects, folks, jobs)
    return Diagnosis(
        table=_table(outcome, trips, folks, jobs, days, names, after),
        summary=summary,
        aid_effects=effects,
        caseload=_caseload(summary, effects, kit),
        people=folks,
        offers=jobs,
        aids=kit,
        network=network,
        settings={"arrive_early": early, "leave_after": after, **routing},
    )


def modes_needed(plans: pd.DataFrame) -> list[str]:
    """The modes a diagnosis routes: those people may use now or with an aid (see :func:`scenarios`).

    In the order that settles ties between equally long days: walking, the other street
    modes, then public transport. A trip by public transport may be a walk alone, and is
    then shown as the walk it is.
    """
    used = {m for modes in plans["modes"] for m in modes}
    return sorted(used, key=lambda m: (is_transit(m), m != "walk", m))


def scenarios(folks: pd.DataFrame, kit: dict[str, Aid]) -> pd.DataFrame:
    """Per person (row) and scenario: the ``modes`` usable, and those an aid would add with a licence.

    An aid whose licence the person lacks changes nothing (``modes`` are her own), but the
    modes it would give with the licence (``unlicensed``) tell where it is the licence that
    is missing.
    """
    rows = []
    for person, (own, licences) in enumerate(zip(folks["modes"], folks["licences"], strict=True)):
        rows.append((person, "now", usable(own, licences), ()))
        for aid in kit.values():
            held = (*licences, *aid.grants)
            modes = tuple(dict.fromkeys((*own, *aid.modes)))
            if holds(aid.requires, held):
                rows.append((person, aid.name, usable(modes, held), ()))
            else:
                rows.append((person, aid.name, usable(own, licences), modes))
    return pd.DataFrame(rows, columns=["person", "scenario", "modes", "unlicensed"])


def _working_days(network: Network, jobs: pd.DataFrame) -> pd.DataFrame:
    """One row per offer and kind of working day: its date, shift and whether the timetable has it.

    Rows are sorted by offer, then weekday, Saturday, Sunday.
    """
    dates = set(network.dates)
    rows = []
    for offer, (days, start, end) in enumerate(zip(jobs["days"], jobs["start"], jobs["end"], strict=True)):
        for kind, weekdays in DAY_KINDS:
            if not set(days) & set(weekdays):
                continue
            date = next((d for d in sorted(dates) if d.weekday() in weekdays), None)
            date = date or NOMINAL_MONDAY + dt.timedelta(days=weekdays[0])
            start_at = pd.Timestamp(dt.datetime.combine(date, dt.time.fromisoformat(start)))
            end_at = pd.Timestamp(dt.datetime.combine(date, dt.time.fromisoformat(end)))
            if end_at <= start_at:  # a night shift ends the next day
                end_at += pd.Timedelta(days=1)
            timetable = date in dates and end_at.date() in dates
            rows.append((offer, kind, date, start, end, start_at, end_at, timetable))
    return pd.DataFrame(
        rows, columns=["offer", "kind", "date", "start", "end", "start_at", "end_at", "timetable"]
    )


@dataclass
class _Trips:
    """Each mode's trips for every person and working day of an offer: arrays (person, slot, mode)."""

    modes: list[str]
    there: np.ndarray  # minutes, NaN when no trip within the search
    back: np.ndarray
    leave: np.ndarray  # datetime64[ns]: leave home, and arrive at work
    arrive: np.ndarray
    no_trip: np.ndarray  # public transport runs no trip there within the search
    no_timetable: np.ndarray  # public transport not checked: the timetable lacks the day


def _trips(network, folks, jobs, days, modes, early, after, routing, progress) -> _Trips:
    """Search every mode for every person and slot (offer, working day), grouping what can be."""
    shape = (len(folks), len(days), len(modes))
    trips = _Trips(
        modes=list(modes), there=np.full(shape, np.nan), back=np.full(shape, np.nan),
        leave=np.full(shape, np.datetime64("NaT"), dtype="datetime64[ns]"),
        arrive=np.full(shape, np.datetime64("NaT"), dtype="datetime64[ns]"),
        no_trip=np.zeros(shape, bool), no_timetable=np.zeros(shape, bool),
    )  # fmt: skip
    street = {k: v for k, v in routing.items() if k in _STREET_OPTIONS}
    places = jobs[["id", "lon", "lat"]]
    groups = list(folks.groupby(["walk_speed", "max_walk_time"], sort=False).indices.items())
    shifts_of = days.groupby(["date", "start", "end"], sort=False).indices
    n_searches = len(groups) * sum(len(shifts_of) if is_transit(m) else 1 for m in modes)
    start_at = days["start_at"].to_numpy("datetime64[ns]")
    with progress_bar(n_searches, "diagnosis", progress, unit="search") as bar:
        for (walk_speed, max_walk_time), rows in groups:
            homes = folks.iloc[rows][["id", "lon", "lat"]]
            limit = float(folks["max_commute"].iloc[rows].max())
            for k, mode in enumerate(modes):
                if not is_transit(mode):
                    there, back = (
                        travel_time_matrix(network, a, b, mode=mode, max_time=limit, walk_speed=walk_speed,
                                           progress=False, **street)["travel_time"].to_numpy()
                        for a, b in ((homes, places), (places, homes))
                    )  # fmt: skip
                    there = there.reshape(len(rows), len(jobs))[:, days["offer"]]
                    back = back.reshape(len(jobs), len(rows)).T[:, days["offer"]]
                    trips.there[rows, :, k], trips.back[rows, :, k] = there, back
                    arrive = start_at - np.timedelta64(round(early * 60), "s")
                    trips.arrive[rows, :, k] = np.where(np.isnan(there), np.datetime64("NaT"), arrive)
                    # Travel times are whole seconds (reachable.cutoffs).
                    seconds = np.round(np.nan_to_num(there) * 60).astype(np.int64).astype("timedelta64[s]")
                    trips.leave[rows, :, k] = trips.arrive[rows, :, k] - seconds
                    bar.update()
                    continue
                served = _served(network, homes, places, mode, limit, walk_speed, max_walk_time, routing)
                for (date, start, end), slots in shifts_of.items():
                    bar.update()
                    if not days["timetable"].iloc[slots[0]]:
                        trips.no_timetable[np.ix_(rows, slots, [k])] = True
                        continue
                    offers_here = jobs.iloc[days["offer"].iloc[slots]][["id", "lon", "lat"]]
                    result = shifts(
                        network, homes, offers_here, mode=mode, shifts=[(start, end)], date=date,
                        max_time=limit, arrive_early=early, leave_after=after, walk_speed=walk_speed,
                        max_walk_time=max_walk_time, progress=False, **routing,
                    )  # fmt: skip
                    block = np.ix_(rows, slots, [k])
                    grid = (len(rows), len(slots), 1)
                    trips.there[block] = result["minutes_there"].to_numpy().reshape(grid)
                    trips.back[block] = result["minutes_back"].to_numpy().reshape(grid)
                    trips.leave[block] = result["leave_home"].to_numpy("datetime64[ns]").reshape(grid)
                    trips.arrive[block] = result["arrive_work"].to_numpy("datetime64[ns]").reshape(grid)
                    # No trip where stops serve both ends: nothing runs then.
                    trips.no_trip[block] = (
                        np.isnan(trips.there[block]) & served[:, days["offer"].iloc[slots], None]
                    )
    return trips


def _served(network, homes, places, mode, limit, walk_speed, max_walk_time, routing) -> np.ndarray:
    """Whether stops serve both ends of each (home, place) pair.

    Stops within reach of the home (on foot, or by the vehicle of a combined mode) and within
    a walk of the place.
    """
    settings = routing_settings(
        network, mode, max_time=limit, departure=dt.datetime.combine(network.dates[0], dt.time(12)),
        walk_speed=walk_speed, max_walk_time=max_walk_time, warn_ignored=False, **routing,
    )  # fmt: skip
    home_points, place_points = as_points(homes, "people"), as_points(places, "offers")
    legs = walk_legs(network, home_points, place_points, settings.transit)
    (offsets, _, _), _ = legs.access.pairs(network, slice(0, len(homes)), legs.n_stops)
    _, place, _ = legs.egress
    place_served = np.zeros(len(places), bool)
    place_served[place] = True
    return (np.diff(offsets) > 0)[:, None] & place_served[None, :]


@dataclass
class _Outcome:
    """Per person, offer and scenario (arrays of shape (people, offers, scenarios))."""

    feasible: np.ndarray  # every working day works
    reason: np.ndarray  # index in REASONS, -1 when feasible
    mode: np.ndarray  # best mode of the first working day, -1 when none
    daily: np.ndarray  # minutes of that day (NaN when none)
    failing_day: np.ndarray  # slot of the first day that fails, -1 when none
    first_slot: np.ndarray  # per offer


def _outcome(trips: _Trips, plans: pd.DataFrame, names: list[str], folks, days, n_offers: int) -> _Outcome:
    """The best mode and the feasibility of each person, offer and scenario, day by day."""
    n_people, n_slots, n_modes = trips.there.shape
    mode_index = {m: k for k, m in enumerate(trips.modes)}
    allowed = np.zeros((n_people, len(names), n_modes), bool)
    with_licence = np.zeros((n_people, len(names), n_modes), bool)
    scenario_index = {name: s for s, name in enumerate(names)}
    for person, scenario, modes, unlicensed in plans.itertuples(index=False):
        s = scenario_index[scenario]
        allowed[person, s, [mode_index[m] for m in modes]] = True
        with_licence[person, s, [mode_index[m] for m in unlicensed if m in mode_index]] = True
    limit = folks["max_commute"].to_numpy()[:, None, None]
    with np.errstate(invalid="ignore"):
        there_ok, back_ok = trips.there <= limit, trips.back <= limit
    daily = trips.there + trips.back
    transit = np.array([is_transit(m) for m in trips.modes])
    first_slot = np.searchsorted(days["offer"].to_numpy(), np.arange(n_offers))
    shape = (n_people, n_offers, len(names))
    outcome = _Outcome(
        feasible=np.zeros(shape, bool), reason=np.full(shape, -1, np.int8), mode=np.full(shape, -1, np.int16),
        daily=np.full(shape, np.nan), failing_day=np.full(shape, -1, np.int32), first_slot=first_slot,
    )  # fmt: skip
    slot_number = np.arange(n_slots)
    for s in range(len(names)):
        usable_now = allowed[:, s, None, :]
        works = usable_now & there_ok & back_ok
        minutes = np.where(works, daily, np.inf)
        best = np.argmin(minutes, axis=2)
        feasible = np.isfinite(np.take_along_axis(minutes, best[:, :, None], axis=2)[:, :, 0])
        licence_would_do = (with_licence[:, s, None, :] & there_ok & back_ok).any(axis=2)
        reason = np.select(
            [
                licence_would_do,
                (usable_now & there_ok).any(axis=2),
                (usable_now & trips.no_timetable).any(axis=2),
                (usable_now & transit & trips.no_trip).any(axis=2),
            ],
            [0, 1, 2, 3],
            default=4,
        )
        failing = np.minimum.reduceat(np.where(feasible, n_slots, slot_number), first_slot, axis=1)
        outcome.feasible[:, :, s] = failing == n_slots
        outcome.failing_day[:, :, s] = np.where(failing == n_slots, -1, failing)
        rows = np.arange(n_people)[:, None]
        outcome.reason[:, :, s] = np.where(
            failing == n_slots, -1, reason[rows, np.minimum(failing, n_slots - 1)]
        )
        first_works = feasible[:, first_slot]
        outcome.mode[:, :, s] = np.where(first_works, best[:, first_slot], -1)
        outcome.daily[:, :, s] = np.where(first_works, minutes[rows, first_slot, best[:, first_slot]], np.nan)
    return outcome


def _table(outcome: _Outcome, trips: _Trips, folks, jobs, days, names, after: float) -> pd.DataFrame:
    """The long table of :class:`Diagnosis`: one row per person, offer and scenario."""
    person, offer, scenario = (a.ravel() for a in np.indices(outcome.feasible.shape))
    slot = outcome.first_slot[offer]
    mode = outcome.mode.ravel()
    shown = mode >= 0
    k = np.maximum(mode, 0)
    there = np.where(shown, trips.there[person, slot, k], np.nan)
    back = np.where(shown, trips.back[person, slot, k], np.nan)
    nat = np.datetime64("NaT")
    leave_back = days["end_at"].to_numpy("datetime64[ns]")[slot] + np.timedelta64(round(after * 60), "s")
    arrive_back = leave_back + (np.round(np.nan_to_num(back) * 60) * 1e9).astype("timedelta64[ns]")
    kinds = days.groupby("offer", sort=True)["kind"].agg(", ".join).to_numpy()
    failing = outcome.failing_day.ravel()
    hours = np.where(jobs["day_job"].to_numpy()[offer], "no hours given: taken as 09:00-17:00", "")
    # An offer whose first day works but another does not says which.
    partial = (failing >= 0) & (failing != slot)
    failed_kind = days["kind"].to_numpy(dtype=object)[np.maximum(failing, 0)]
    fails = np.where(partial, failed_kind + " does not work", "")
    failing_day = np.where(failing >= 0, failed_kind, "")
    note = pd.Series(hours, dtype=object) + np.where((hours != "") & (fails != ""), "; ", "") + fails
    reasons = np.array(["", *REASONS], dtype=object)
    return pd.DataFrame({
        "person": folks["id"].to_numpy()[person], "offer": jobs["id"].to_numpy()[offer],
        "scenario": np.asarray(names, dtype=object)[scenario], "feasible": outcome.feasible.ravel(),
        "mode": np.where(shown, np.asarray([*trips.modes, ""], dtype=object)[np.where(shown, mode, -1)], ""),
        "leave": np.where(shown, trips.leave[person, slot, k], nat),
        "arrive": np.where(shown, trips.arrive[person, slot, k], nat),
        "leave_back": np.where(shown, leave_back, nat), "arrive_back": np.where(shown, arrive_back, nat),
        "minutes_there": there, "minutes_back": back, "daily_minutes": outcome.daily.ravel(),
        "reason": reasons[outcome.reason.ravel() + 1], "failing_day": failing_day, "days": kinds[offer],
        "note": note.to_numpy(),
    })  # fmt: skip


def _aid_effects(outcome: _Outcome, folks, jobs, names) -> pd.DataFrame:
    """Per person and aid: the offers it opens and the daily minutes it saves on the others."""
    now_feasible, now_daily = outcome.feasible[:, :, :1], outcome.daily[:, :, :1]
    aid_feasible, aid_daily = outcome.feasible[:, :, 1:], outcome.daily[:, :, 1:]
    opens = aid_feasible & ~now_feasible
    both = aid_feasible & now_feasible
    saved = np.where(both, now_daily - aid_daily, 0.0).sum(axis=1)
    commute = np.where(aid_feasible, aid_daily, 0.0).sum(axis=1)
    offer_ids = jobs["id"].astype(str).to_numpy()
    n_people, n_aids = len(folks), len(names) - 1
    opened = [", ".join(offer_ids[opens[p, :, a]]) for p in range(n_people) for a in range(n_aids)]
    return pd.DataFrame({
        "person": np.repeat(folks["id"].to_numpy(), n_aids), "aid": np.tile(names[1:], n_people),
        "opens": opens.sum(axis=1).ravel(), "opened_offers": opened, "minutes_saved": saved.ravel(),
        "commute_minutes": commute.ravel(),
    })  # fmt: skip


def _summary(outcome: _Outcome, effects: pd.DataFrame, folks, jobs) -> pd.DataFrame:
    """One row per person: what is feasible now and the aid that helps most."""
    now = outcome.feasible[:, :, 0]
    offer_ids = jobs["id"].astype(str).to_numpy()
    n_aids = outcome.feasible.shape[2] - 1
    opens = effects["opens"].to_numpy().reshape(len(folks), n_aids)
    saved = effects["minutes_saved"].to_numpy().reshape(len(folks), n_aids)
    commute = effects["commute_minutes"].to_numpy().reshape(len(folks), n_aids)
    aids = effects["aid"].to_numpy()[:n_aids]
    # Most offers opened, then the least commuting over the offers it makes feasible, then the
    # most minutes saved; the catalogue's order breaks the remaining ties.
    best = np.lexsort((-saved, commute, -opens), axis=1)[:, 0] if n_aids else np.zeros(len(folks), int)
    rows = np.arange(len(folks))
    helps = (
        (opens[rows, best] > 0) | (saved[rows, best] >= MIN_SAVING) if n_aids else np.zeros(len(folks), bool)
    )
    return pd.DataFrame({
        "person": folks["id"].to_numpy(), "name": folks["name"].to_numpy(), "offers": now.shape[1],
        "feasible_now": now.sum(axis=1), "feasible_now_offers": [", ".join(offer_ids[row]) for row in now],
        "best_aid": np.where(helps, aids[best] if n_aids else "", ""),
        "best_aid_opens": np.where(helps, opens[rows, best] if n_aids else 0, 0),
        "best_aid_minutes_saved": np.where(helps, saved[rows, best] if n_aids else 0.0, 0.0),
    })  # fmt: skip


def _caseload(summary: pd.DataFrame, effects: pd.DataFrame, kit: dict[str, Aid]) -> pd.DataFrame:
    """One row per aid: for how many people it is the best, how many it helps, offers it opens."""
    helps = (effects["opens"] > 0) | (effects["minutes_saved"] >= MIN_SAVING)
    return pd.DataFrame({
        "aid": list(kit),
        "best_for": [int((summary["best_aid"] == name).sum()) for name in kit],
        "helps": [int(helps[effects["aid"] == name].sum()) for name in kit],
        "offers_opened": [int(effects.loc[effects["aid"] == name, "opens"].sum()) for name in kit],
    })  # fmt: skip
