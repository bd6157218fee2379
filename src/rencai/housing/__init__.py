"""人才安居: talent apartments and 保障性租赁住房, batches, the published lottery and contracts."""
