"""Routing steps shared by the analysis functions: snapped points, street and transit searches.

These turn validated points and a network into kernel inputs and kernel outputs into arrays;
the public functions (``travel_time_matrix`` and later ``accessibility``) shape the frames.
"""
