"""The OpenFisca adapter: the person model, population mode (columns) and tax-benefit systems."""
