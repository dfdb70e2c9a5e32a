"""Readers of OpenStreetMap data: files through pyosmium, graphs from OSMnx."""
