"""Rough centre points of Jena's 30 Ortsteile (fictional approximations, good to ~1 km).

Used when an Einrichtung's Ortsteil cell names several districts: its coordinates pick the nearest one.
The sample-data generator also places its invented addresses around these points.
"""

from __future__ import annotations

import math

ORTSTEIL_CENTRES: dict[str, tuple[float, float]] = {
    "jena-nord": (50.9450, 11.5900),
    "loebstedt": (50.9580, 11.6000),
    "zwaetzen": (50.9680, 11.6050),
    "jena-zentrum": (50.9280, 11.5880),
    "jena-west": (50.9250, 11.5700),
    "jena-sued": (50.9130, 11.5850),
    "lichtenhain": (50.9180, 11.5550),
    "wenigenjena": (50.9320, 11.6080),
    "kernberge": (50.9180, 11.6100),
    "ziegenhain": (50.9150, 11.6300),
    "jenapriessnitz-wogau": (50.9350, 11.6450),
    "neulobeda": (50.8850, 11.6050),
    "lobeda-altstadt": (50.8800, 11.6150),
    "woellnitz": (50.9000, 11.6100),
    "drackendorf": (50.8680, 11.6250),
    "winzerla": (50.8970, 11.5650),
    "burgau": (50.8970, 11.5900),
    "goeschwitz": (50.8780, 11.5900),
    "ammerbach": (50.9050, 11.5450),
    "closewitz": (50.9550, 11.5500),
    "cospeda": (50.9450, 11.5450),
    "ilmnitz": (50.8700, 11.6400),
    "isserstedt": (50.9550, 11.5050),
    "krippendorf": (50.9650, 11.5300),
    "kunitz-laasan": (50.9650, 11.6250),
    "leutra": (50.8800, 11.5600),
    "luetzeroda": (50.9450, 11.5600),
    "maua": (50.8700, 11.5750),
    "muenchenroda-remderoda": (50.9300, 11.5200),
    "vierzehnheiligen": (50.9650, 11.5200),
}


def nearest_ortsteil(lat: float, lon: float, candidates: tuple[str, ...]) -> str | None:
    known = [slug for slug in candidates if slug in ORTSTEIL_CENTRES]
    if not known:
        return None
    scale = math.cos(math.radians(lat))

    def distance(slug: str) -> float:
        c_lat, c_lon = ORTSTEIL_CENTRES[slug]
        return (lat - c_lat) ** 2 + ((lon - c_lon) * scale) ** 2

    return min(known, key=distance)
