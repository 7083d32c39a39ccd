"""The admin and demo pages and the built widget, served as they are."""
