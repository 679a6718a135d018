"""Analytics use cases: rollups, heatmaps, stops, dwell, learned corridors, checkpoint statistics, exports."""
