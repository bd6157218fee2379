"""政策找人: screen the feeds' population; reach those who qualify but never applied."""
