"""The WIM site agent's parts: DAQ clock mapping, evidence capture, photo annotation, records.

`wim_station.agent` wires them to the DAQ, the axle-load core, the cameras, the sign and
the outbox; everything here is small and testable without devices.
"""
