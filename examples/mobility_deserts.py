# %% [markdown]
# # Mobility deserts: where people without a car reach too little, and who lives there
#
# Two cities. **Porto Alegre**: the network of the r5r sample, accessibility to jobs by
# transit and by car within 45 minutes, and the cells where transit reaches less than half
# of what a car does. Its grid has population but no income, so the measures by income wait
# for Belo Horizonte. **Belo Horizonte**: the transit travel-time matrix and land use that
# ship with ipea's ``accessibility`` package (population, jobs, income per capita and
# decile): the same measures as ipea's (Gini, Palma, Theil, concentration index, FGT), and
# deserts by income decile.
#
# Run as a script (``python examples/mobility_deserts.py``) or cell by cell in a notebook.
# ``REACHABLE_EXAMPLE_SMALL=1`` uses every 10th Porto Alegre hexagon; ``REACHABLE_EXAMPLE_OUT``
# names the folder of the pictures (default ``results/``).

# %%
from __future__ import annotations

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import reachable as rc

warnings.simplefilter("ignore", rc.ReachableWarning)  # the sample's hexagons off the streets
out = Path(os.environ.get("REACHABLE_EXAMPLE_OUT", "results"))
out.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## Porto Alegre: transit against the car
# The bus sample runs from 11:00 to 17:00: we leave at 14:00.

# %%
paths = rc.datasets.porto_alegre()
network = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date="2019-05-13")
hexes = rc.datasets.porto_alegre_hexgrid().fillna({"jobs": 0})
if os.environ.get("REACHABLE_EXAMPLE_SMALL"):
    hexes = hexes.iloc[::10].reset_index(drop=True)
acc = rc.accessibility(
    network, hexes, hexes, columns=["jobs"], mode=["transit", "car"], cutoffs=[45],
    departure="2019-05-13 14:00",
)  # fmt: skip
poa = rc.deserts(acc, hexes, column="jobs", mode="transit", cutoff=45, line=0.5, relative_to="car")
everyone = poa.summary.iloc[-1]
print(
    f"Porto Alegre, {len(hexes):,} hexagons: {everyone['in_deserts']:,.0f} of {everyone['population']:,.0f} "
    f"people ({everyone['fgt0']:.1%}) live where transit reaches less than half the jobs a car reaches "
    "in 45 min"
)
gini = rc.equity.gini_index(acc, hexes, column="jobs", population="population", group_by=["mode"])
print(gini.to_string(index=False))
ax = rc.plot.desert_map(poa, network=network)
ax.figure.savefig(out / "deserts_porto_alegre.png", dpi=120)
plt.close(ax.figure)

# %% [markdown]
# ## Belo Horizonte: ipea's sample, with income
# Accessibility within 30 minutes by transit (ipea's ``cumulative_cutoff``), then the
# inequality measures and the deserts below half of the median, by income decile.

# %%
bho = Path(rc.__file__).resolve().parents[2] / "tests" / "data" / "bho"
land_use = pd.read_csv(bho / "land_use.csv")
matrix = pd.read_parquet(bho / "travel_matrix.parquet")
bh = rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=30).assign(mode="transit")
people = {"column": "jobs", "population": "population"}
measures = {
    "Gini": rc.equity.gini_index(bh, land_use, **people),
    "Palma": rc.equity.palma_ratio(bh, land_use, **people, income="income_per_capita"),
    "concentration": rc.equity.concentration_index(
        bh, land_use, **people, income="income_per_capita", type="corrected"
    ),
}
for name, frame in measures.items():
    print(f"Belo Horizonte, {name}: {float(frame.iloc[0, -1]):.4f}")
deserts = rc.deserts(
    bh, land_use, column="jobs", mode="transit", line=0.5, relative_to="median", income_group="income_decile"
)
print(deserts.summary.to_string(index=False))
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
rc.plot.by_income(bh, land_use, column="jobs", ax=ax)
fig.savefig(out / "jobs_by_income_decile.png", dpi=120)
fig, ax = plt.subplots(figsize=(6, 6), layout="constrained")
rc.plot.lorenz(bh, land_use, column="jobs", ax=ax)
fig.savefig(out / "lorenz_belo_horizonte.png", dpi=120)
