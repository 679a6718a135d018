"""Analytics over tracks and crossings (pure: numpy, shapely, h3; no database).

- h3_cells: parents, centres and hexagons of H3 cells for the heatmaps.
- dwell: time spent per fix (the additive rollup dwell), zone visits, dwell distributions.
- stops: stop detection by max diameter and min duration (MovingPandas' definition).
- corridor_learning: the cells most trips use, ordered and smoothed into a line.
- checkpoint_throughput: crossings per hour and day, processing-time distributions.
"""
