"""The policy library: rules as code on OpenFisca, the calculator contract and explanations.

This package knows nothing of the database or the web: everything here is a pure function of a
profile, a date and the cited parameters.
"""
