"""Simulated enforcement camera: GA 36 plates (`plates`), road scenes (`scene`), seeded frame
sets (`dataset`) and an HTTP MJPEG/snapshot server driven by `RoadCamera.show_vehicle`."""
