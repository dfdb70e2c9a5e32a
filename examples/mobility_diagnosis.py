# %% [markdown]
# # A mobility adviser's morning: five people, five offers, and what a loan would change
#
# Five job seekers of Porto Alegre meet their adviser. Each is offered the same five jobs
# and courses; which can each of them reach in time, there and back, with the means they
# have today? Would a lent bike, an e-bike, a car, a transit pass, or the moped licence
# course open the others? **The people and the offers are fictional**; the offers sit on
# real places of the city (a hospital, shopping centres, the metro) and the network is the
# real one of the r5r project's sample.
#
# **The data's limit.** The bus sample only has the trips running from 11:00 to 17:00 (the
# metro runs all day). A job starting at 06:00 or ending at 21:00 looks out of reach by bus
# here: that is the sample, not the city.
#
# Run as a script (``python examples/mobility_diagnosis.py``) or cell by cell in a notebook.
# ``REACHABLE_EXAMPLE_OUT`` names the folder of the sheets (default ``results/``).

# %%
from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

import reachable as rc

warnings.simplefilter("ignore", rc.ReachableWarning)  # the sample's places off the streets
out = Path(os.environ.get("REACHABLE_EXAMPLE_OUT", "results"))
out.mkdir(parents=True, exist_ok=True)

paths = rc.datasets.porto_alegre()
# Monday and Tuesday: the trip home after a late shift may use Tuesday's first trains.
network = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date=["2019-05-13", "2019-05-14"])
places = rc.datasets.porto_alegre_points_of_interest().set_index("id").geometry

# %% [markdown]
# ## The people and the offers
# ``modes`` are what each person uses today; ``licences`` the driving licences they hold
# (``B`` for cars, ``AM`` for mopeds); ``max_commute`` the longest trip they accept, each way.

# %%
people = pd.DataFrame({
    "id": ["amina", "bruno", "carla", "diego", "elisa"],
    "name": ["Amina", "Bruno", "Carla", "Diego", "Elisa"],
    "lon": [-51.1900, -51.2050, -51.1650, -51.2300, -51.1760],
    "lat": [-30.0600, -30.0150, -30.0900, -30.0520, -30.0350],
    "modes": ["walk,transit", "walk", "walk,transit,bike", "walk,transit", "walk,transit"],
    "licences": ["", "B", "", "AM", ""],
    "max_commute": [60, 45, 50, 60, 45],
    "walk_speed": [3.6, 3.6, 3.6, 3.6, 2.9],  # Elisa walks with a cane
})  # fmt: skip


def at(place: str) -> tuple[float, float]:
    return places[place].x, places[place].y


offers = pd.DataFrame({
    "id": ["kitchen", "cleaning", "forklift", "shop", "warehouse"],
    "name": ["Hospital kitchen", "Office cleaning", "Forklift course", "Shop assistant", "Warehouse picker"],
    "kind": ["job", "job", "training", "job", "job"],
    "lon": [at("santa_casa_hospital")[0], at("iguatemi_shopping_center")[0], at("pucrs")[0],
            at("praia_de_belas_shopping_center")[0], at("farrapos_station")[0]],
    "lat": [at("santa_casa_hospital")[1], at("iguatemi_shopping_center")[1], at("pucrs")[1],
            at("praia_de_belas_shopping_center")[1], at("farrapos_station")[1]],
    "start": ["06:00", "17:00", "08:30", "12:00", "14:00"],
    "end": ["14:00", "21:00", "16:30", "17:00", "22:00"],
    "days": ["mon-fri", "mon-sat", "mon-fri", "mon-fri", "mon-fri"],
})  # fmt: skip

# %% [markdown]
# ## The diagnosis
# Every person x offer x scenario (``now``, then each aid of the default catalogue), day by
# day; the best mode is the one with the shortest day of commuting.

# %%
diagnosis = rc.diagnose(network, people, offers, aids=rc.aids.default())
pd.set_option("display.width", 120)
now = diagnosis.table[diagnosis.table["scenario"] == "now"]
print(
    now[
        ["person", "offer", "feasible", "mode", "leave", "arrive_back", "daily_minutes", "reason"]
    ].to_string()
)

# %% [markdown]
# ## What each aid would change, and the fleet it calls for

# %%
print(
    diagnosis.summary[
        ["name", "feasible_now", "best_aid", "best_aid_opens", "best_aid_minutes_saved"]
    ].to_string()
)
print(diagnosis.caseload.to_string(index=False))

# %% [markdown]
# ## The sheets
# One page per person, in French, with an index; self-contained, they print on A4.

# %%
index = diagnosis.to_html(out / "sheets", lang="fr")
print(f"sheets written: {index}")
