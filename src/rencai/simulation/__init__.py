"""Reform simulation (政策模拟): reforms as data over the dated parameters and rules, run in
population mode.
"""
