"""青年人才驿站: stations, rooms and free stays booked by eligible graduates."""
