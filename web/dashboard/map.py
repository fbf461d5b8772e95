"""California's 58 counties as SVG paths, from the U.S. Census Bureau's cartographic boundary
files as the us-atlas package ships them (TopoJSON, already Albers-projected for the nation).

`make assets` copies the package's counties-albers-10m.json into web/static/vendor; when it is not
there the dashboard shows its county table alone.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ATLAS = Path(__file__).resolve().parents[1] / "static" / "vendor" / "counties-albers-10m.json"
ATTRIBUTION = "County boundaries: U.S. Census Bureau cartographic boundary files, via us-atlas."
CALIFORNIA = "06"  # the state's FIPS code: its counties' ids start with it
WIDTH = 400.0


@dataclass(frozen=True)
class County:
    fips: str
    name: str
    path: str  # the SVG path's d, in the map's viewBox
    label_x: float  # the middle of its bounding box, where a note can sit
    label_y: float


@dataclass(frozen=True)
class CountyMap:
    width: float
    height: float
    counties: tuple[County, ...]
    attribution: str = ATTRIBUTION

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Each arc's points: the file stores them quantized and delta-encoded."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring joins its arcs, each after the first without its first point (the last one of the
    arc before); a negative index ~i is arc i walked backwards."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def build(topology: dict, state: str = CALIFORNIA, width: float = WIDTH) -> CountyMap:
    arcs = _arcs(topology)
    shapes = []
    for geometry in topology["objects"]["counties"]["geometries"]:
        if str(geometry.get("id", "")).startswith(state):
            rings = [_ring(ring, arcs) for polygon in _polygons(geometry) for ring in polygon]
            shapes.append((geometry["id"], geometry.get("properties", {}).get("name", ""), rings))
    every = [p for _, _, rings in shapes for ring in rings for p in ring]
    if not every:
        return CountyMap(width=width, height=0, counties=())
    left, top = min(x for x, _ in every), min(y for _, y in every)
    scale = width / (max(x for x, _ in every) - left)
    height = round((max(y for _, y in every) - top) * scale, 1)

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return round((point[0] - left) * scale, 1), round((point[1] - top) * scale, 1)

    counties = []
    for fips, name, rings in sorted(shapes, key=lambda shape: shape[1]):
        parts, placed = [], []
        for ring in rings:
            xy = [at(p) for p in ring]
            placed.extend(xy)
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in xy) + "Z")
        xs, ys = [x for x, _ in placed], [y for _, y in placed]
        counties.append(County(fips=fips, name=name, path="".join(parts),
                               label_x=round((min(xs) + max(xs)) / 2, 1),
                               label_y=round((min(ys) + max(ys)) / 2, 1)))
    return CountyMap(width=width, height=height, counties=tuple(counties))


@cache
def california() -> CountyMap | None:
    """The map, read once per process; None when the boundaries are not installed."""
    try:
        topology = json.loads(ATLAS.read_text())
    except (OSError, ValueError):
        return None
    return build(topology)
