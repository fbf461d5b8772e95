"""What the reach dashboard draws, computed in Python: the county map, the growth chart, the
cascade's bars and the shading classes. The templates only place what these return."""
