"""Traffic simulator: Chinese truck/car traffic over WIM sensors, as DAQ frames + ground truth.

`generate()` writes a `.wimrec` and its truth; `TrafficDaqServer` serves frames over TCP in
real time; `traffic()` is the seeded world model.
"""
