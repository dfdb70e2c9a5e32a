"""The mobility diagnosis of a caseload on Porto Alegre: 1,000 people, 200 offers, 6 scenarios.

Run from the project root::

    python benchmarks/bench_diagnosis.py [--people 1000] [--offers 200]

People live on random populated hexagons (drawn in proportion to population, seed 1), offers
sit on random job hexagons (in proportion to jobs, seed 2); each offer takes its hours from
a fixed list of shifts and works Monday to Friday (a fifth of them Monday to Saturday).
People walk, and most also take public transport or cycle; a fifth hold a B licence. Their
longest acceptable trip is 45, 60 or 75 minutes. The scenarios are ``now`` and five aids:
bike, e-bike and car loans, a transit pass, and a bike ridden to the bus. The network holds
Monday 2019-05-13 and Tuesday 2019-05-14 (the night shift's trip home); the bus sample runs
from 11:00 to 17:00 only, so early and late shifts rely on the metro, walking and vehicles.

Prints the time of the whole diagnosis (after a warm-up on a few people that compiles the
kernels and fills the network's caches), the time per person, the target (under 50 ms per
person on 2 cores) and what the diagnosis found.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numba
import numpy as np
import pandas as pd

import reachable as rc
from _report import cpu_model, print_table

SHIFTS = [("06:00", "14:00"), ("08:00", "16:00"), ("09:00", "17:00"), ("12:00", "16:00"), ("14:00", "22:00"),
          ("22:00", "06:00")]  # fmt: skip
AIDS = ["bike_loan", "ebike_loan", "car_loan", "transit_pass", "bike+transit"]
TARGET_MS = 50.0


def caseload(hexes: pd.DataFrame, n_people: int, n_offers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fictional people on populated cells and offers on job cells (seeded)."""
    people_rng, offers_rng = np.random.default_rng(1), np.random.default_rng(2)
    population = hexes["population"].fillna(0).to_numpy()
    homes = hexes.iloc[people_rng.choice(len(hexes), n_people, p=population / population.sum())]
    modes = people_rng.choice(
        ["walk,transit", "walk", "walk,bike", "walk,transit,bike"], n_people, p=[0.5, 0.2, 0.15, 0.15]
    )
    people = pd.DataFrame({
        "id": [f"person{i}" for i in range(n_people)], "lon": homes.geometry.x.to_numpy(),
        "lat": homes.geometry.y.to_numpy(), "modes": modes,
        "licences": people_rng.choice(["", "B"], n_people, p=[0.8, 0.2]),
        "max_commute": people_rng.choice([45, 60, 75], n_people),
    })  # fmt: skip
    jobs = hexes["jobs"].fillna(0).to_numpy()
    places = hexes.iloc[offers_rng.choice(len(hexes), n_offers, p=jobs / jobs.sum())]
    hours = offers_rng.integers(0, len(SHIFTS), n_offers)
    offers = pd.DataFrame({
        "id": [f"offer{i}" for i in range(n_offers)],
        "kind": offers_rng.choice(["job", "training"], n_offers),
        "lon": places.geometry.x.to_numpy(), "lat": places.geometry.y.to_numpy(),
        "start": [SHIFTS[h][0] for h in hours], "end": [SHIFTS[h][1] for h in hours],
        "days": offers_rng.choice(["mon-fri", "mon-sat"], n_offers, p=[0.8, 0.2]),
    })  # fmt: skip
    return people, offers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--offers", type=int, default=200)
    args = parser.parse_args()
    warnings.simplefilter("ignore", rc.ReachableWarning)
    paths = rc.datasets.porto_alegre()
    network = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date=["2019-05-13", "2019-05-14"])
    hexes = rc.datasets.porto_alegre_hexgrid()
    people, offers = caseload(hexes, args.people, args.offers)

    rc.diagnose(network, people.iloc[:5], offers.iloc[:20], aids=AIDS, progress=False)  # warm-up
    started = time.perf_counter()
    diagnosis = rc.diagnose(network, people, offers, aids=AIDS, progress=False)
    seconds = time.perf_counter() - started

    per_person = 1000 * seconds / len(people)
    print(f"Porto Alegre: {len(people):,} people x {len(offers):,} offers x {1 + len(AIDS)} scenarios")
    print(f"{cpu_model()}, numba threads {numba.get_num_threads()}")
    print_table(
        "Time",
        ["measure", "value"],
        [
            ["whole diagnosis (s)", f"{seconds:.1f}"],
            ["per person (ms)", f"{per_person:.1f}"],
            [f"target <= {TARGET_MS:g} ms per person", "PASS" if per_person <= TARGET_MS else "MISS"],
        ],
    )
    table = diagnosis.table
    feasible = table.groupby("scenario", sort=False)["feasible"].mean()
    print_table(
        "Share of person x offer pairs feasible, by scenario",
        ["scenario", "feasible"],
        [[name, f"{share:.3f}"] for name, share in feasible.items()],
    )
    reasons = table.loc[table["scenario"] == "now", "reason"].value_counts()
    print_table(
        "Why not, now", ["reason", "pairs"], [[r or "(feasible)", f"{n:,}"] for r, n in reasons.items()]
    )
    print_table(
        "Caseload: the aid that helps each person most",
        ["aid", "best for", "helps", "offers opened"],
        [
            [r.aid, str(r.best_for), str(r.helps), str(r.offers_opened)]
            for r in diagnosis.caseload.itertuples()
        ],
    )


if __name__ == "__main__":
    main()
