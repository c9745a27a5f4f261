"""Funding cycle: Förderjahre, the Bewertungsmatrix (Kriterien), Anträge, Bewertungen, ranking and decisions.

Nothing here is public: applications become public only as the Förderung a decision creates.
"""
