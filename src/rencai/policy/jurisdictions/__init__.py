"""The jurisdictions' own folders: each holds its descriptor, its documents' rules, parameters
and catalogue. They are found and read by ``rencai.policy.cities``; nothing here imports a city.
"""
