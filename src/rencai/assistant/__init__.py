"""云骥: the policy assistant that answers with citations from the clause library and the rules
engine.
"""
