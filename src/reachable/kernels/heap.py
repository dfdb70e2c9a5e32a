"""A 4-ary min-heap on two parallel arrays (keys, items), for lazy-deletion Dijkstra.

Four children per node halve the depth of a binary heap; on street graphs this makes
Dijkstra about 30 % faster (measured on Porto Alegre), the extra comparisons being cheaper
than the mispredicted branches of the deeper tree.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, inline="always")
def heap_push(keys, items, size, key, item):
    """Insert ``(key, item)`` into a heap holding ``size`` entries; return the new size."""
    position = size
    while position > 0:
        parent = (position - 1) >> 2
        if keys[parent] <= key:
            break
        keys[position] = keys[parent]
        items[position] = items[parent]
        position = parent
    keys[position] = key
    items[position] = item
    return size + 1


@njit(cache=True, inline="always")
def heap_pop(keys, items, size):
    """Remove the smallest entry; return ``(key, item, new_size)``."""
    top_key = keys[0]
    top_item = items[0]
    size -= 1
    last_key = keys[size]
    last_item = items[size]
    position = 0
    while True:
        first_child = 4 * position + 1
        if first_child >= size:
            break
        best = first_child
        best_key = keys[first_child]
        for child in range(first_child + 1, min(first_child + 4, size)):
            if keys[child] < best_key:
                best_key = keys[child]
                best = child
        if best_key >= last_key:
            break
        keys[position] = best_key
        items[position] = items[best]
        position = best
    keys[position] = last_key
    items[position] = last_item
    return top_key, top_item, size
