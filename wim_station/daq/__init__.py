"""DAQ wire frames, their codec, `.wimrec` recordings and URL-selected frame sources."""
