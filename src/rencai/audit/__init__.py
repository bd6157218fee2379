"""The audit log: append-only and hash-chained, so that an edited or deleted entry is detected."""
