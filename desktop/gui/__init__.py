"""The Qt GUI: views observe the core and send it commands."""
