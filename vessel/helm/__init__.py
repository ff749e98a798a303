"""The helm link: the line protocol to the motor controller and the driver that speaks it."""
