"""The calculator contract: the talent profile (input) and the entitlement result (output)."""
