"""Applications and review (一网通办): cases, the county → city review chain, history."""
