# %% [markdown]
# # Access to jobs and schools in Porto Alegre, by mode
#
# A walkthrough of `reachable` on the Porto Alegre sample of the r5r project: how many jobs and
# schools can people reach from each hexagon of the city on foot, by bike, by public transport
# and by car, within 30, 45 and 60 minutes?
#
# Run it as a script (`python examples/porto_alegre_accessibility.py`) or open it as a notebook
# (VS Code, Spyder and Jupytext read the `# %%` cells). Two environment variables:
#
# - `REACHABLE_EXAMPLE_SMALL=1`: a quick run on every 10th hexagon with a 10-minute departure
#   window (a few seconds instead of about half a minute);
# - `REACHABLE_EXAMPLE_OUT`: the folder of the maps (default `results/`).
#
# The sample data ships with reachable (or is read from `$REACHABLE_DATA_DIR`); the
# network is built once and cached.

# %%
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt

import reachable as rc

SMALL = os.environ.get("REACHABLE_EXAMPLE_SMALL", "") not in ("", "0")
OUT = Path(os.environ.get("REACHABLE_EXAMPLE_OUT", "results"))
OUT.mkdir(parents=True, exist_ok=True)

DATE = "2019-05-13"  # a Monday: both GTFS feeds run that day
DEPARTURE = f"{DATE} 14:00"
TIME_WINDOW = 10 if SMALL else 60  # minutes of departures; transit times are the median over them
MODES = ["walk", "bike", "transit", "car"]
CUTOFFS = [30, 45, 60]

# %% [markdown]
# ## The data
#
# 1,227 H3 hexagons (about 350 m across) with their population, jobs, schools and health
# facilities. Five hexagons have no jobs and healthcare counts in the published data: they
# count as 0 here.

# %%
paths = rc.datasets.porto_alegre()
hexes = rc.datasets.porto_alegre_hexgrid().fillna({"jobs": 0, "healthcare": 0})
if SMALL:
    hexes = hexes.iloc[::10].reset_index(drop=True)
print(f"{len(hexes):,} hexagons, {hexes['jobs'].sum():,.0f} jobs, {hexes['schools'].sum():,.0f} schools")

# %% [markdown]
# ## The network
#
# Streets from OpenStreetMap, buses (EPTC) and the metro (Trensurb) from their GTFS feeds, for
# one service day. The first build takes a few seconds; later runs load it from the cache.

# %%
network = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date=DATE)
print(network)

# %% [markdown]
# ## Accessibility
#
# For each hexagon, mode and cutoff: the jobs and schools in the hexagons reached within the
# cutoff (a cumulative measure). Public transport times are the median over one departure
# per minute from 14:00, so a lucky or unlucky connection does not decide the result.

# %%
acc = rc.accessibility(
    network,
    hexes,
    hexes,
    columns=["jobs", "schools"],
    mode=MODES,
    cutoffs=CUTOFFS,
    departure=DEPARTURE,
    time_window=TIME_WINDOW,
    percentiles=(50,),
)
acc.head()

# %% [markdown]
# ## Modes compared
#
# The median hexagon's access, per mode and cutoff, in jobs and as a share of all the jobs
# of the city.


# %%
def median_table(column: str):
    """Median over the hexagons, one row per mode, one column per cutoff."""
    table = acc.pivot_table(index="mode", columns="cutoff", values=column, aggfunc="median")
    return table.loc[MODES].rename(columns=lambda cutoff: f"{cutoff:g} min")


jobs = median_table("jobs")
share = 100 * jobs / hexes["jobs"].sum()
print("jobs reachable by the median hexagon, by mode and cutoff (minutes):")
print(jobs.round(0).astype(int).to_string())
print("\nthe same, in % of the city's jobs:")
print(share.round(1).to_string())

print("\nschools reachable by the median hexagon:")
print(median_table("schools").round(0).astype(int).to_string())

# %% [markdown]
# ## A map of access to jobs by public transport
#
# Each hexagon is a disc coloured by the jobs it reaches within 45 minutes.

# %%
ax = rc.plot.accessibility_map(acc, "jobs", "transit", 45)
ax.figure.savefig(OUT / "jobs_transit_45.png", dpi=120)
print(f"wrote {OUT / 'jobs_transit_45.png'}")

# %% [markdown]
# Side by side, on one colour scale, to compare the modes:

# %%
fig, axes = plt.subplots(1, len(MODES), figsize=(5 * len(MODES), 4.6), layout="constrained")
largest = acc.loc[acc["cutoff"] == 45, "jobs"].max()
for mode, panel in zip(MODES, axes, strict=True):
    rc.plot.accessibility_map(acc, "jobs", mode, 45, ax=panel, vmin=0, vmax=largest)
fig.savefig(OUT / "jobs_by_mode_45.png", dpi=100)
print(f"wrote {OUT / 'jobs_by_mode_45.png'}")

# %% [markdown]
# ## Isochrones from one place
#
# The areas reached from the central bus station within 15, 30 and 45 minutes by public
# transport, leaving at 14:00: every street walked or reached by bus or metro, widened by
# 100 m.

# %%
places = rc.datasets.porto_alegre_points_of_interest()
station = places[places["id"] == "bus_central_station"]
iso = rc.isochrones(network, station, mode="transit", cutoffs=[15, 30, 45], departure=DEPARTURE)
ax = rc.plot.isochrone_map(iso)
ax.figure.savefig(OUT / "isochrones_bus_central_station.png", dpi=120)
print(f"wrote {OUT / 'isochrones_bus_central_station.png'}")

# %% [markdown]
# ## Interactive map (notebooks)
#
# With folium installed (`pip install folium`, not a dependency of reachable), GeoPandas draws
# an interactive web map; pick one mode and cutoff first, as each hexagon has a row for each:

# %%
transit_45 = acc[(acc["mode"] == "transit") & (acc["cutoff"] == 45)]
# transit_45.explore(column="jobs", tiles="CartoDB positron")

# %%
plt.close("all")
