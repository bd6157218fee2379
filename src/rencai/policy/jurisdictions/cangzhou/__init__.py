"""Cangzhou 沧州市: catalogued only — the seed (000) names programs without stating criteria."""
