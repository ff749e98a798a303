"""Patrol vessel: GNSS, navigation, helm, on-water vision, warning rules and agent."""
