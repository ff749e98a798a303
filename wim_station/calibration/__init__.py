"""Calibration of a WIM site: the correction model, its fitting and the acceptance report."""
