"""The office-owned working-day calendar: official years, provisional years, local closures."""
