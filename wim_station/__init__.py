"""Weigh-in-motion site: DAQ codec, axle-load core, plate reading and agent."""
