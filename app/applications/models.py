"""The funding cycle's tables (defined with the catalogue, which the importer may use)."""

from app.catalogue.funding_cycle import Antrag, Bewertung, Foerderjahr, Kriterium

__all__ = ["Antrag", "Bewertung", "Foerderjahr", "Kriterium"]
